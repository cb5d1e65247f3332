import os from 'node:os';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { int, optionalString } from './env-schema-parts';
import { mediaStoreConfig, type MediaStoreConfig, mediaStoreEnv, mediaStoreProblems } from './media-store-config';

/** Thrown when the environment cannot be turned into a valid config; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const envSchema = z.object({
  ...mediaStoreEnv.shape,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: int(0, 65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  // API processes on one host (node:cluster, api-cluster.ts): 'auto' is one per available core.
  API_PROCESSES: z
    .string()
    .regex(/^(auto|[1-9][0-9]?)$/, "'auto' or a whole number from 1 to 64")
    .refine((v) => v === 'auto' || Number(v) <= 64, "'auto' or a whole number from 1 to 64")
    .default('1'),
  // HNSW candidate list per index scan (pgvector hnsw.ef_search), set on every connection. Unset:
  // chosen at start for the live index's build (src/db/track-index.ts, from bench:search's recall
  // curves in docs/BENCHMARKS.md).
  SEARCH_HNSW_EF_SEARCH: int(10, 1000).optional(),
  NATS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^(nats|tls):\/\/[^\s]+(,(nats|tls):\/\/[^\s]+)*$/, 'expected nats://host:port[,nats://...]')
      .optional(),
  ),
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and - only')
    .default('BGM_JOBS'),
  NATS_STREAM_REPLICAS: int(1, 5).default(1),
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dot-separated tokens')
    .default('bgm.jobs'),
  JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  JWT_ISSUER: z.string().default('bgm-backend'),
  JWT_AUDIENCE: z.string().default('bgm-api'),
  MEDIA_ROOT: optionalString,
  MODEL_DIR: optionalString,
  MAX_PAGE_SIZE: int(1, 1000).default(100),
  MAX_QUERY_DEPTH: int(2, 50).default(10),
  MAX_QUERY_COST: int(10, 1_000_000).default(5000),
  MAX_BATCH_SIZE: int(1, 10_000).default(100),
  MAX_MEDIA_BYTES: int(1024, 10 * 1024 ** 3).default(500 * 1024 ** 2),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(15_000),
  OUTBOX_POLL_MS: int(10, 60_000).default(500),
  MEDIA_URL_ALLOWLIST: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    ),
  MEDIA_FETCH_TIMEOUT_MS: int(100, 600_000).default(30_000),
  // issue 14 (media): the idle timeout above does not stop a source that trickles a byte at a
  // time; this bounds each download as a whole.
  MEDIA_FETCH_TOTAL_TIMEOUT_MS: int(1000, 3_600_000).default(120_000),
  MEDIA_FETCH_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  DEMO_CATALOG: z.enum(['auto', 'true', 'false']).default('auto'),
  RUN_JOBS: z.enum(['auto', 'true', 'false']).default('auto'),
  WORKER_CONCURRENCY: int(1, 64).default(1),
  WORKER_VIDEO_CONCURRENCY: int(1, 64).default(1),
  WORKER_MAX_DELIVER: int(1, 100).default(8),
  WORKER_ACK_WAIT_MS: int(1000, 3_600_000).default(60_000),
  // 6 attempts, 2 s base: 2+4+8+16+32 = 62 s of backoff, so an outage of a dependency (the object
  // store, say) of 30 s is ridden out with margin.
  JOB_MAX_ATTEMPTS: int(1, 50).default(6),
  JOB_RETRY_BASE_MS: int(10, 600_000).default(2000),
  ACTIVATION_CHECK_INTERVAL_MS: int(100, 3_600_000).default(30_000),
  JOB_RETENTION_DAYS: int(1, 3650).default(30),
  // issue 17 (preview renders): the loudness renders are normalised to, and how long one is kept.
  PREVIEW_TARGET_LUFS: z.coerce.number().min(-36).max(-6).default(-14),
  PREVIEW_RENDER_TTL_HOURS: int(1, 720).default(24),
  INFERENCE_PROVIDER: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  INFERENCE_THREADS: int(1, 64).default(1),
  INFERENCE_INTRA_OP_THREADS: int(1, 64).default(2),
  INFERENCE_BATCH_SIZE: int(1, 256).default(8),
  MAX_TRACK_SECONDS: int(1, 24 * 3600).default(1800),
  MAX_VIDEO_SECONDS: int(1, 24 * 3600).default(600),
  MIN_MEDIA_SECONDS: z.coerce.number().min(0).max(60).default(1),
  // --- Instrumental preference of suggestBgm (issue 17, item 5) ---
  SUGGEST_INSTRUMENTAL_MIN_COVERAGE: z.coerce.number().min(0).max(1).default(0.25),
  SUGGEST_VOCAL_PENALTY: z.coerce.number().min(0).max(100).default(1),
  // suggestBgm answers kept per API process while the catalog, the video and license time allow (issue 15):
  // suggestions held over all pages (about 3 KiB each); 0: off.
  SUGGEST_CACHE_SUGGESTIONS: int(0, 10_000_000).default(20_000),
  // suggestBgm's candidates from an in-process hnswlib index per serving version (issue 15;
  // candidate-index.ts): about 2.5 KiB of memory per track and version; off: pgvector's index only.
  SUGGEST_CANDIDATE_INDEX: z.enum(['on', 'off']).default('on'),
  // hnswlib's ef at search: 150 reached recall@10 0.99 at 100k tracks (docs/BENCHMARKS.md).
  SUGGEST_CANDIDATE_EF: int(10, 1000).default(150),
  // --- The canary (issue 16): share of suggestBgm videos a candidate serves once it passes the gate ---
  CANARY_SHARE: z.coerce.number().min(0).max(1).default(0),
  // --- Per-request work bounds and rate limits (issue 14, items 5 and 7) ---
  MAX_QUERY_TOKENS: int(100, 100_000).default(2000),
  MAX_QUERY_ALIASES: int(0, 1000).default(15),
  MAX_QUERY_ROOT_FIELDS: int(1, 1000).default(10),
  MAX_QUERY_DIRECTIVES: int(0, 1000).default(50),
  RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400).default(60),
  RATE_LIMIT_PER_TOKEN: int(0, 1_000_000).default(60),
  RATE_LIMIT_PER_IP: int(0, 1_000_000).default(300),
  RATE_LIMITED_FIELDS: z
    .string()
    .default('suggestBgm,similarTracks,ingestTracks,registerVideo')
    .transform((s) =>
      s
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    ),
  // Express `trust proxy`: a hop count, true/false, or addresses/CIDRs/`loopback`,`uniquelocal`.
  TRUST_PROXY: optionalString
    .refine(
      (v) => v === undefined || /^(true|false|\d+)$/.test(v) || v.split(',').every(isProxyAddress),
      'expected a hop count, true/false, or comma-separated addresses, CIDRs, loopback, linklocal, uniquelocal',
    )
    .transform((v) =>
      v === undefined || v === 'false' ? undefined : v === 'true' ? true : /^\d+$/.test(v) ? Number(v) : v,
    ),
  // --- end of per-request bounds ---
  // Uploads: what one user may hold unregistered (not yet used by a video or track), and how long.
  UPLOAD_QUOTA_BYTES: int(1024, 1024 ** 4).default(2 * 1024 ** 3),
  UPLOAD_QUOTA_COUNT: int(1, 100_000).default(50),
  UPLOAD_UNREGISTERED_MAX_AGE_HOURS: int(1, 8760).default(24),
  // --- Outages (issue 14): job reconciler, worker backoff, Postgres timeouts ---
  JOB_STALL_AFTER_MS: int(1000, 86_400_000).default(600_000),
  JOB_RECONCILE_INTERVAL_MS: int(100, 3_600_000).default(30_000),
  WORKER_OUTAGE_RETRY_MS: int(10, 600_000).default(5000),
  DATABASE_CONNECT_TIMEOUT_MS: int(100, 600_000).default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: int(100, 3_600_000).default(60_000),
});

/** One item of TRUST_PROXY as express (proxy-addr) reads it; anything else would throw at start. */
function isProxyAddress(item: string): boolean {
  const s = item.trim();
  if (['loopback', 'linklocal', 'uniquelocal'].includes(s) || ipaddr.isValid(s)) return true;
  try {
    ipaddr.parseCIDR(s);
    return true;
  } catch {
    return false;
  }
}

export type Env = Record<string, string | undefined>;

/**
 * connectTimeoutMs: opening a connection; statementTimeoutMs: one statement (server side, and the
 * client gives up a little later when the server does not answer at all); idleInTransactionTimeoutMs:
 * a transaction left open without a statement. Without them an unreachable database hangs every
 * request and /readyz for the whole outage.
 */
export interface PostgresConfig {
  kind: 'postgres';
  url: string;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  /** hnsw.ef_search of every connection (database.ts); absent: chosen for the index's build. */
  hnswEfSearch?: number;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: { host: string; port: number };
  /** API processes sharing the port (node:cluster, api-cluster.ts); 1: this process serves alone. */
  apiProcesses: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  dataDir: string;
  database: PostgresConfig | { kind: 'pglite'; dir: string; hnswEfSearch?: number };
  /** replicas: copies of the stream in a NATS cluster (3 in production: a server can be lost). */
  queue:
    | { kind: 'nats'; servers: string[]; stream: string; subjectPrefix: string; replicas: number }
    | { kind: 'in-process' };
  auth: { secret?: string; issuer: string; audience: string };
  /** The local folder: the embedded default's media, and where `media://` references resolve with MEDIA_STORE=local. */
  mediaRoot: string;
  mediaStore: MediaStoreConfig;
  modelDir?: string;
  limits: {
    maxPageSize: number;
    maxQueryDepth: number;
    maxQueryCost: number;
    maxBatchSize: number;
    maxMediaBytes: number;
    // Per-request work bounds (issue 14): checked before any resolver runs.
    /** Lexical tokens of one document; bounds parse and validation time. */
    maxQueryTokens: number;
    maxQueryAliases: number;
    /** Root fields of one operation: each resolves on its own and may open a transaction. */
    maxQueryRootFields: number;
    maxQueryDirectives: number;
  };
  /**
   * Points per window spent by the expensive operations (`fields`, one per root field, and uploads), per
   * token and per client address; 0 turns that limit off. In memory: each API host counts on its own
   * (its processes share one count, rate-limiter.ts).
   */
  rateLimit: { windowSeconds: number; perToken: number; perIp: number; fields: string[] };
  /**
   * suggestBgm under a voice-over that speaks more than `minCoverage` of the time: relevance minus
   * `penalty` x the track's vocal presence (0 turns it off; a filter may turn it off per call).
   */
  instrumental: { minCoverage: number; penalty: number };
  /** suggestBgm answers one process keeps while they are provably current (suggestion-cache.ts); 0: off. */
  suggestCacheSuggestions: number;
  /** suggestBgm's in-process candidate index (candidate-index.ts); null: off. */
  candidateIndex: { ef: number } | null;
  /**
   * `defaultShare` of the videos asking suggestBgm is served by a candidate as soon as it passes the
   * gate (0: none until an admin calls setCanaryShare).
   */
  canary: { defaultShare: number };
  /** Express `trust proxy`: which proxies' X-Forwarded-For to believe for the client address (unset: none). */
  trustProxy?: boolean | number | string;
  shutdownTimeoutMs: number;
  outboxPollMs: number;
  /** Whether this process runs job handlers (always in the worker; in the API, with the in-process queue by default). */
  runJobs: boolean;
  /** Load demo/ into an empty catalog at start (default: on the embedded database only). */
  demoCatalog: boolean;
  /** Preview renders (rater page and renderPreview): target integrated loudness, and how long a render is kept. */
  previewRender: { targetLufs: number; ttlHours: number };
  /**
   * concurrency: embed-track jobs at once per worker process; videoConcurrency: embed-video jobs,
   * on their own consumer so that a catalog backlog never delays new videos. The re-embed fan-out
   * job takes one more slot.
   */
  worker: {
    concurrency: number;
    videoConcurrency: number;
    maxDeliver: number;
    ackWaitMs: number;
    maxAttempts: number;
    retryBaseMs: number;
    /** Least time between two checks of whether a pending model version covers the catalog (cluster-wide). */
    activationCheckMs: number;
    /** SUCCEEDED jobs and their outbox rows are deleted this long after they finished. */
    retentionDays: number;
    /**
     * Outages (issue 14). stallAfterMs: an unfinished job without progress and without a message in
     * the queue for this long is republished by the reconciler (or failed once its budget is spent);
     * reconcileIntervalMs: how often each worker looks; outageRetryMs: first redelivery delay when
     * the handler could not reach its dependencies (doubles per delivery, at most a minute).
     */
    stallAfterMs: number;
    reconcileIntervalMs: number;
    outageRetryMs: number;
  };
  inference: { provider: 'auto' | 'cpu' | 'cuda'; threads: number; intraOpThreads: number; batchSize: number };
  media: { maxMediaBytes: number; maxTrackSeconds: number; maxVideoSeconds: number; minMediaSeconds: number };
  /** timeoutMs: longest silence within a download; totalTimeoutMs: longest download. */
  urlFetch: { allowlist: string[]; timeoutMs: number; totalTimeoutMs: number; allowPrivateAddresses: boolean };
  /**
   * Per uploader: at most quotaCount unregistered uploads holding quotaBytes in all (HTTP 429
   * beyond); an unregistered upload older than unregisteredMaxAgeHours is deleted by a sweep.
   */
  uploads: { quotaBytes: number; quotaCount: number; unregisteredMaxAgeHours: number };
}

/** Builds the typed config from an environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    problems.push('JWT_SECRET: required when NODE_ENV=production');
  }
  if (e.NODE_ENV === 'production' && !e.DATABASE_URL) {
    problems.push('DATABASE_URL: required when NODE_ENV=production (the embedded database is for development)');
  }
  if (e.NODE_ENV === 'production' && e.MEDIA_FETCH_ALLOW_PRIVATE) {
    problems.push(
      'MEDIA_FETCH_ALLOW_PRIVATE: must not be true in production (it lets ingestion reach internal addresses)',
    );
  }
  if (e.WORKER_MAX_DELIVER <= e.JOB_MAX_ATTEMPTS) {
    problems.push(
      'WORKER_MAX_DELIVER: must exceed JOB_MAX_ATTEMPTS, or a crashed delivery could leave a job unfinished',
    );
  }
  if (e.JOB_STALL_AFTER_MS <= e.WORKER_ACK_WAIT_MS) {
    problems.push(
      'JOB_STALL_AFTER_MS: must exceed WORKER_ACK_WAIT_MS, or a job in its ack wait would count as stalled',
    );
  }
  const apiProcesses = e.API_PROCESSES === 'auto' ? Math.min(64, os.availableParallelism()) : Number(e.API_PROCESSES);
  if (apiProcesses > 1 && !e.DATABASE_URL) {
    problems.push('API_PROCESSES: more than one needs DATABASE_URL (the embedded database belongs to one process)');
  }
  if (apiProcesses > 1 && !e.NATS_URL && e.RUN_JOBS !== 'false') {
    problems.push(
      'API_PROCESSES: more than one needs NATS_URL or RUN_JOBS=false (the in-process queue belongs to one process)',
    );
  }
  problems.push(...mediaStoreProblems(e));
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT },
    apiProcesses,
    logLevel: e.LOG_LEVEL,
    dataDir,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          poolSize: e.DATABASE_POOL_SIZE,
          connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
          statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
          idleInTransactionTimeoutMs: e.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
          hnswEfSearch: e.SEARCH_HNSW_EF_SEARCH,
        }
      : { kind: 'pglite', dir: path.join(dataDir, 'pglite'), hnswEfSearch: e.SEARCH_HNSW_EF_SEARCH },
    queue: e.NATS_URL
      ? {
          kind: 'nats',
          servers: e.NATS_URL.split(','),
          stream: e.NATS_STREAM,
          subjectPrefix: e.NATS_SUBJECT_PREFIX,
          replicas: e.NATS_STREAM_REPLICAS,
        }
      : { kind: 'in-process' },
    auth: { secret: e.JWT_SECRET, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
    mediaRoot: path.resolve(e.MEDIA_ROOT ?? path.join(dataDir, 'media')),
    mediaStore: mediaStoreConfig(e),
    modelDir: e.MODEL_DIR ? path.resolve(e.MODEL_DIR) : undefined,
    limits: {
      maxPageSize: e.MAX_PAGE_SIZE,
      maxQueryDepth: e.MAX_QUERY_DEPTH,
      maxQueryCost: e.MAX_QUERY_COST,
      maxBatchSize: e.MAX_BATCH_SIZE,
      maxMediaBytes: e.MAX_MEDIA_BYTES,
      maxQueryTokens: e.MAX_QUERY_TOKENS,
      maxQueryAliases: e.MAX_QUERY_ALIASES,
      maxQueryRootFields: e.MAX_QUERY_ROOT_FIELDS,
      maxQueryDirectives: e.MAX_QUERY_DIRECTIVES,
    },
    instrumental: { minCoverage: e.SUGGEST_INSTRUMENTAL_MIN_COVERAGE, penalty: e.SUGGEST_VOCAL_PENALTY },
    suggestCacheSuggestions: e.SUGGEST_CACHE_SUGGESTIONS,
    candidateIndex: e.SUGGEST_CANDIDATE_INDEX === 'on' ? { ef: e.SUGGEST_CANDIDATE_EF } : null,
    canary: { defaultShare: e.CANARY_SHARE },
    rateLimit: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      perToken: e.RATE_LIMIT_PER_TOKEN,
      perIp: e.RATE_LIMIT_PER_IP,
      fields: e.RATE_LIMITED_FIELDS,
    },
    trustProxy: e.TRUST_PROXY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    outboxPollMs: e.OUTBOX_POLL_MS,
    runJobs: e.RUN_JOBS === 'auto' ? !e.NATS_URL : e.RUN_JOBS === 'true',
    demoCatalog: e.DEMO_CATALOG === 'auto' ? !e.DATABASE_URL : e.DEMO_CATALOG === 'true',
    previewRender: { targetLufs: e.PREVIEW_TARGET_LUFS, ttlHours: e.PREVIEW_RENDER_TTL_HOURS },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      videoConcurrency: e.WORKER_VIDEO_CONCURRENCY,
      maxDeliver: e.WORKER_MAX_DELIVER,
      ackWaitMs: e.WORKER_ACK_WAIT_MS,
      maxAttempts: e.JOB_MAX_ATTEMPTS,
      retryBaseMs: e.JOB_RETRY_BASE_MS,
      activationCheckMs: e.ACTIVATION_CHECK_INTERVAL_MS,
      retentionDays: e.JOB_RETENTION_DAYS,
      stallAfterMs: e.JOB_STALL_AFTER_MS,
      reconcileIntervalMs: e.JOB_RECONCILE_INTERVAL_MS,
      outageRetryMs: e.WORKER_OUTAGE_RETRY_MS,
    },
    inference: {
      provider: e.INFERENCE_PROVIDER,
      threads: e.INFERENCE_THREADS,
      intraOpThreads: e.INFERENCE_INTRA_OP_THREADS,
      batchSize: e.INFERENCE_BATCH_SIZE,
    },
    urlFetch: {
      allowlist: e.MEDIA_URL_ALLOWLIST,
      timeoutMs: e.MEDIA_FETCH_TIMEOUT_MS,
      totalTimeoutMs: e.MEDIA_FETCH_TOTAL_TIMEOUT_MS,
      allowPrivateAddresses: e.MEDIA_FETCH_ALLOW_PRIVATE,
    },
    media: {
      maxMediaBytes: e.MAX_MEDIA_BYTES,
      maxTrackSeconds: e.MAX_TRACK_SECONDS,
      maxVideoSeconds: e.MAX_VIDEO_SECONDS,
      minMediaSeconds: e.MIN_MEDIA_SECONDS,
    },
    uploads: {
      quotaBytes: e.UPLOAD_QUOTA_BYTES,
      quotaCount: e.UPLOAD_QUOTA_COUNT,
      unregisteredMaxAgeHours: e.UPLOAD_UNREGISTERED_MAX_AGE_HOURS,
    },
  };
}
