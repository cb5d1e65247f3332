import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { type App, startApp } from '../../src/app/start-app';
import { createLogger } from '../../src/common/logger';
import { projectRoot } from '../../src/common/paths';
import { loadConfig } from '../../src/config/config';
import { resolveMediaBinaries } from '../../src/media/ffmpeg-binary';
import { TcpProxy } from './tcp-proxy';

export interface ChaosOptions {
  tracks: number;
  videos: number;
  workers: number;
  /** Workers SIGKILLed (one at a time, each restarted) while ingestion runs. */
  kills: number;
  pgOutageS: number;
  natsOutageS: number;
  modelDir: string;
  /** Admin URL of the machine's Postgres (a fresh database is created next to it and dropped). */
  postgresUrl: string;
  natsUrl: string;
  /** Built worker entry (npm run build). */
  workerJs: string;
  /** Whole-run bound on waiting for every job to settle after the faults. */
  settleTimeoutS: number;
  log: (line: string) => void;
}

export interface FaultTiming {
  fault: string;
  /** Seconds from the fault's end (restore, or the kill) until the API and every worker answer /readyz 200. */
  readyAfterS: number | null;
}

export interface ChaosReport {
  ingested: { tracks: number; videos: number };
  ready: number;
  failed: number;
  /** Ingested items missing from the database, without a job, or READY without an embedding. */
  lost: number;
  /** Extra jobs for one subject, or items created twice. */
  duplicated: number;
  /** Jobs still PENDING/PROCESSING, or items not READY/FAILED, when the run ended. */
  stranded: number;
  duplicateEmbeddings: number;
  faults: FaultTiming[];
  seconds: number;
}

/** The counts that must be zero. */
export const problems = (r: ChaosReport) => r.lost + r.duplicated + r.stranded + r.duplicateEmbeddings;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tunings of the fault-tolerance bounds, small enough for a run of minutes. */
const APP_ENV = {
  NODE_ENV: 'test',
  PORT: '0',
  OUTBOX_POLL_MS: '200',
  DEMO_CATALOG: 'false',
  WORKER_ACK_WAIT_MS: '10000',
  WORKER_MAX_DELIVER: '4',
  JOB_MAX_ATTEMPTS: '3',
  JOB_RETRY_BASE_MS: '500',
  WORKER_OUTAGE_RETRY_MS: '1000',
  JOB_STALL_AFTER_MS: '20000',
  JOB_RECONCILE_INTERVAL_MS: '2000',
  DATABASE_CONNECT_TIMEOUT_MS: '2000',
  DATABASE_STATEMENT_TIMEOUT_MS: '10000',
  DATABASE_POOL_SIZE: '5',
  MAX_BATCH_SIZE: '100',
  // One client ingests hundreds of items: the per-token and per-address limits are not under test.
  RATE_LIMIT_PER_TOKEN: '0',
  RATE_LIMIT_PER_IP: '0',
  UPLOAD_QUOTA_COUNT: '100000',
  INFERENCE_THREADS: '1',
  INFERENCE_INTRA_OP_THREADS: '1',
};

/**
 * One chaos run on the machine's Postgres and NATS, each behind a TCP proxy: an API in this
 * process (no job handlers) and `workers` worker processes. Ingests tracks and videos while it
 * SIGKILLs workers, cuts Postgres then NATS, restores them, waits for every job to settle, and
 * counts what was lost, duplicated or stranded. Everything it creates (database, stream, files)
 * is removed at the end.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const o: ChaosOptions = {
    ...options,
    log: (line) => options.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s ${line}`),
  };
  const id = randomBytes(4).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-chaos-'));
  const dbName = `bgm_chaos_${id}`;
  const dbUrl = new URL(o.postgresUrl);
  dbUrl.pathname = `/${dbName}`;
  // First, and asynchronously: the proxies below run on this event loop, which must never block.
  const media = await generateMedia(path.join(dataDir, 'fixtures'), o.tracks, o.videos, o.log).catch((err: unknown) => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  const admin = new Client({ connectionString: o.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const pgTarget = new URL(o.postgresUrl);
  const natsTarget = new URL(o.natsUrl);
  const pgProxy = await TcpProxy.start({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
  const natsProxy = await TcpProxy.start({ host: natsTarget.hostname, port: Number(natsTarget.port || 4222) });
  const env: Record<string, string> = {
    ...APP_ENV,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'silent',
    MODEL_DIR: o.modelDir,
    DATABASE_URL: pgProxy.rewrite(dbUrl.toString()),
    NATS_URL: `nats://127.0.0.1:${natsProxy.port}`,
    NATS_STREAM: `BGM_CHAOS_${id}`,
    NATS_SUBJECT_PREFIX: `bgm-chaos-${id}.jobs`,
  };
  const workers = new Workers(o, env);
  let app: App | undefined;
  const direct = new Client({ connectionString: dbUrl.toString() });
  try {
    // The API first (it migrates the database and registers the model, as a deploy's migrate job
    // would), then the workers, which load their model while the media is generated.
    const config = loadConfig({ ...env, RUN_JOBS: 'false', LOG_LEVEL: env.LOG_LEVEL });
    app = await startApp(config, createLogger(config.logLevel, { role: 'chaos-api' }));
    await direct.connect();
    for (let i = 0; i < o.workers; i++) workers.spawn();

    const ingest = new Ingestion(app, direct, o.log);
    const ingestion = ingest.run(media);
    const faults: FaultTiming[] = [];
    const api = app;
    const readyAfter = async (fault: string, from: number) => {
      const s = await allReady(api, workers, 180_000);
      const readyAfterS = s === null ? null : Math.round((s - from) / 100) / 10;
      o.log(`[chaos] ${fault}: ready after ${readyAfterS ?? 'never (3 min)'} s`);
      faults.push({ fault, readyAfterS });
    };

    await waitUntil(() => ingest.done >= Math.min(5, o.tracks + o.videos), 120_000);
    for (let k = 0; k < o.kills; k++) {
      const at = workers.killOne();
      o.log(`[chaos] SIGKILLed a worker (${k + 1}/${o.kills}); restarting it`);
      await sleep(1000);
      await readyAfter(`worker SIGKILL ${k + 1}`, at);
    }
    if (o.pgOutageS > 0) {
      o.log(`[chaos] Postgres down for ${o.pgOutageS} s`);
      pgProxy.set('down');
      await sleep(o.pgOutageS * 1000);
      pgProxy.set('up');
      await readyAfter(`Postgres down ${o.pgOutageS} s`, Date.now());
    }
    if (o.natsOutageS > 0) {
      o.log(`[chaos] NATS down for ${o.natsOutageS} s`);
      natsProxy.set('down');
      await sleep(o.natsOutageS * 1000);
      natsProxy.set('up');
      await readyAfter(`NATS down ${o.natsOutageS} s`, Date.now());
    }
    await ingestion;
    o.log(`[chaos] ingested ${ingest.tracks.size} tracks, ${ingest.videos.size} videos; waiting for jobs to settle`);
    let lastReport = 0;
    await waitUntil(async () => {
      const left = await unsettled(direct);
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        o.log(`[chaos] ${left} unsettled (unfinished jobs + items not READY/FAILED)`);
      }
      return left === 0;
    }, o.settleTimeoutS * 1000);
    const counts = await count(direct, ingest);
    return { ...counts, faults, seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    await workers.stopAll();
    pgProxy.set('up');
    natsProxy.set('up');
    await app?.stop().catch(() => undefined);
    await direct.end().catch(() => undefined);
    await pgProxy.close();
    await natsProxy.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await dropStream(o.natsUrl, `BGM_CHAOS_${id}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Media {
  tracks: string[];
  videos: string[];
}

/** Tiny, distinct media: a tone per track, a test pattern with a tone per video (ffmpeg lavfi). */
async function generateMedia(dir: string, tracks: number, videos: number, log: (l: string) => void): Promise<Media> {
  fs.mkdirSync(dir, { recursive: true });
  const ffmpeg = resolveMediaBinaries().ffmpeg;
  const run = (args: string[]) => promisify(execFile)(ffmpeg, ['-nostdin', '-v', 'error', '-y', ...args]);
  const out: Media = { tracks: [], videos: [] };
  for (let i = 0; i < tracks; i++) {
    const file = path.join(dir, `track-${i}.wav`);
    await run(['-f', 'lavfi', '-i', `sine=frequency=${110 + 7 * i}:duration=2`, '-ac', '1', file]);
    out.tracks.push(file);
  }
  for (let i = 0; i < videos; i++) {
    const file = path.join(dir, `video-${i}.mp4`);
    await run([
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=160x120:rate=10:duration=2,hue=h=${(i * 37) % 360}`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${300 + 11 * i}:duration=2`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      file,
    ]);
    out.videos.push(file);
  }
  log(`[chaos] generated ${tracks} tracks and ${videos} videos`);
  return out;
}

/** Worker processes from the built entry, restarted when they exit (as an orchestrator would). */
class Workers {
  private readonly procs = new Map<ChildProcess, { url?: string }>();
  private stopping = false;

  constructor(
    private readonly o: ChaosOptions,
    private readonly env: Record<string, string>,
  ) {}

  spawn(): void {
    if (!fs.existsSync(this.o.workerJs)) throw new Error(`${this.o.workerJs} missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, [this.o.workerJs], {
      env: { PATH: process.env.PATH, ...this.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const state: { url?: string } = {};
    this.procs.set(child, state);
    let buffered = '';
    child.stdout.on('data', (b: Buffer) => {
      buffered += b.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (!state.url && line.includes('"bgm-backend started"')) {
          state.url = (JSON.parse(line) as { url: string }).url;
          this.o.log(`[chaos] worker ${child.pid} started`);
        }
      }
    });
    child.stderr.resume();
    // CHAOS_WORKER_LOG=file: every worker's log lines, for a run that went wrong.
    const logFile = process.env.CHAOS_WORKER_LOG;
    if (logFile)
      for (const stream of [child.stdout, child.stderr])
        stream.on('data', (b: Buffer) => fs.appendFileSync(logFile, b));
    this.o.log(`[chaos] worker ${child.pid} spawned`);
    child.once('exit', (code, signal) => {
      this.procs.delete(child);
      if (!this.stopping) this.o.log(`[chaos] worker ${child.pid} exited (${signal ?? code}); restarting it`);
      if (!this.stopping) setTimeout(() => !this.stopping && this.spawn(), 1000).unref();
    });
  }

  /** SIGKILLs one worker (the supervisor restarts it); returns when. */
  killOne(): number {
    const [child] = [...this.procs.keys()];
    child?.kill('SIGKILL');
    return Date.now();
  }

  /** Every worker's probe URL, or undefined while one has not started. */
  urls(): (string | undefined)[] {
    return [...this.procs.values()].map((s) => s.url);
  }

  get count(): number {
    return this.procs.size;
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    const exits = [...this.procs.keys()].map((c) => new Promise((r) => c.once('exit', r)));
    for (const c of this.procs.keys()) c.kill('SIGKILL');
    await Promise.all(exits);
  }
}

async function readyz(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** When the API and every worker (as many as asked for) first all answer ready; null past the bound. */
async function allReady(app: App, workers: Workers, boundMs: number): Promise<number | null> {
  const end = Date.now() + boundMs;
  while (Date.now() < end) {
    const urls = workers.urls();
    if (
      urls.length >= 1 &&
      urls.every((u) => u !== undefined) &&
      (await readyz(app.url)) &&
      (await Promise.all(urls.map((u) => readyz(u)))).every(Boolean)
    )
      return Date.now();
    await sleep(200);
  }
  return null;
}

async function waitUntil(cond: () => boolean | Promise<boolean>, boundMs: number): Promise<void> {
  const end = Date.now() + boundMs;
  while (!(await cond())) {
    if (Date.now() > end) return;
    await sleep(500);
  }
}

/**
 * Ingests as a careful client would through the faults: uploads, then ingestTracks or
 * registerVideo, retrying what failed. A track batch that failed may have been committed before
 * the answer was lost, so the client asks which titles exist before ingesting the rest again; a
 * video is retried with its idempotency key.
 */
class Ingestion {
  readonly tracks = new Map<string, string>();
  readonly videos = new Map<string, string>();
  done = 0;

  constructor(
    private readonly app: App,
    private readonly direct: Client,
    private readonly log: (l: string) => void,
  ) {}

  async run(media: Media): Promise<void> {
    const admin = await this.app.authenticator.sign('chaos-admin', ['admin']);
    const user = await this.app.authenticator.sign('chaos-user', ['app']);
    const batches: string[][] = [];
    for (let i = 0; i < media.tracks.length; i += 5) batches.push(media.tracks.slice(i, i + 5));
    // Track batches and videos interleaved, 3 requests at a time, spread over the faults.
    const work: (() => Promise<void>)[] = [];
    for (let i = 0; i < Math.max(batches.length, media.videos.length); i++) {
      const batch = batches[i];
      const video = media.videos[i];
      if (batch) work.push(() => this.trackBatch(batch, admin));
      if (video) work.push(() => this.video(video, user));
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        while (next < work.length) {
          await work[next++]!();
          await sleep(150);
        }
      }),
    );
  }

  private async retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= 400)
          throw new Error(`${what}: gave up after ${attempt} attempts: ${(err as Error).message}`, { cause: err });
        await sleep(Math.min(5000, 250 * attempt));
      }
    }
  }

  private async upload(file: string, token: string): Promise<string> {
    return this.retry(`upload ${path.basename(file)}`, async () => {
      const res = await fetch(`${this.app.url}/media/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-filename': path.basename(file) },
        body: fs.readFileSync(file),
        signal: AbortSignal.timeout(30_000),
      });
      if (res.status !== 201) throw new Error(`upload answered ${res.status}`);
      return ((await res.json()) as { mediaUri: string }).mediaUri;
    });
  }

  private async gql(query: string, variables: Record<string, unknown>, token: string) {
    const res = await fetch(`${this.app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as { data?: any; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
    return body.data;
  }

  private async trackBatch(files: string[], token: string): Promise<void> {
    const uris = await Promise.all(files.map((f) => this.upload(f, token)));
    const items = files.map((f, i) => ({
      mediaUri: uris[i]!,
      title: `chaos ${path.basename(f)}`,
      artist: 'Chaos',
      license: { licensor: 'Chaos' },
    }));
    await this.retry('ingestTracks', async () => {
      // Which of these a lost answer may have created already (read beside the proxy).
      const { rows } = await this.direct.query<{ id: string; title: string }>(
        'SELECT id::text, title FROM track WHERE title = ANY($1)',
        [items.map((i) => i.title)],
      );
      for (const r of rows) this.tracks.set(r.title, r.id);
      const missing = items.filter((i) => !this.tracks.has(i.title));
      if (missing.length === 0) return;
      const data = await this.gql(
        'mutation($t: [IngestTrackInput!]!) { ingestTracks(tracks: $t) { created { track { id title } } } }',
        { t: missing },
        token,
      );
      for (const c of data.ingestTracks.created as { track: { id: string; title: string } }[])
        this.tracks.set(c.track.title, c.track.id);
    });
    this.done += files.length;
  }

  private async video(file: string, token: string): Promise<void> {
    const uri = await this.upload(file, token);
    const key = randomUUID();
    const data = await this.retry('registerVideo', () =>
      this.gql(
        'mutation($i: RegisterVideoInput!) { registerVideo(input: $i) { video { id } } }',
        { i: { mediaUri: uri, idempotencyKey: key } },
        token,
      ),
    );
    this.videos.set(key, data.registerVideo.video.id as string);
    this.done += 1;
    if (this.done % 50 === 0) this.log(`[chaos] ${this.done} items ingested`);
  }
}

async function unsettled(db: Client): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`
    SELECT (SELECT count(*) FROM job WHERE status IN ('PENDING', 'PROCESSING'))
         + (SELECT count(*) FROM track WHERE status IN ('PENDING', 'PROCESSING'))
         + (SELECT count(*) FROM video WHERE status IN ('PENDING', 'PROCESSING')) AS n`);
  return Number(rows[0]!.n);
}

async function count(db: Client, ingest: Ingestion): Promise<Omit<ChaosReport, 'faults' | 'seconds'>> {
  const one = async (sql: string, params: unknown[] = []) =>
    Number((await db.query<{ n: string }>(sql, params)).rows[0]!.n);
  const trackIds = [...ingest.tracks.values()];
  const videoIds = [...ingest.videos.values()];
  const lost =
    // Ingested (the API answered with an id) but not in the database.
    trackIds.length -
    (await one('SELECT count(*) AS n FROM track WHERE id = ANY($1::uuid[])', [trackIds])) +
    videoIds.length -
    (await one('SELECT count(*) AS n FROM video WHERE id = ANY($1::uuid[])', [videoIds])) +
    // Without any job to process them.
    (await one(`SELECT count(*) AS n FROM track t WHERE NOT EXISTS (
        SELECT 1 FROM job j WHERE j.payload->>'trackId' = t.id::text)`)) +
    (await one(`SELECT count(*) AS n FROM video v WHERE NOT EXISTS (
        SELECT 1 FROM job j WHERE j.payload->>'videoId' = v.id::text)`)) +
    // READY without the embedding READY promises.
    (await one(`SELECT count(*) AS n FROM track t WHERE t.status = 'READY' AND NOT EXISTS (
        SELECT 1 FROM track_embedding e WHERE e.track_id = t.id)`)) +
    (await one(`SELECT count(*) AS n FROM video v WHERE v.status = 'READY' AND NOT EXISTS (
        SELECT 1 FROM video_embedding e WHERE e.video_id = v.id)`));
  const duplicated =
    (await one(`SELECT coalesce(sum(n - 1), 0) AS n FROM (
        SELECT count(*) AS n FROM job WHERE kind IN ('EMBED_TRACK', 'EMBED_VIDEO')
        GROUP BY coalesce(payload->>'trackId', payload->>'videoId') HAVING count(*) > 1) d`)) +
    (await one(`SELECT coalesce(sum(n - 1), 0) AS n FROM (
        SELECT count(*) AS n FROM track GROUP BY title HAVING count(*) > 1) d`));
  const stranded = await unsettled(db);
  const duplicateEmbeddings =
    (await one(`SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM track_embedding
        GROUP BY track_id, model_version_id HAVING count(*) > 1) d`)) +
    (await one(`SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM track_segment_embedding
        GROUP BY track_id, model_version_id, window_index HAVING count(*) > 1) d`)) +
    (await one(`SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM video_embedding
        GROUP BY video_id, model_version_id HAVING count(*) > 1) d`));
  return {
    ingested: { tracks: trackIds.length, videos: videoIds.length },
    ready:
      (await one(`SELECT count(*) AS n FROM track WHERE status = 'READY'`)) +
      (await one(`SELECT count(*) AS n FROM video WHERE status = 'READY'`)),
    failed: await one(`SELECT count(*) AS n FROM job WHERE status = 'FAILED'`),
    lost,
    duplicated,
    stranded,
    duplicateEmbeddings,
  };
}

async function dropStream(natsUrl: string, stream: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: natsUrl });
  try {
    await (await jetstreamManager(nc)).streams.delete(stream);
  } catch {
    // not created
  } finally {
    await nc.close();
  }
}

/** The report as the table `npm run chaos` prints. */
export function formatReport(r: ChaosReport): string {
  const rows: [string, string][] = [
    ['items ingested', `${r.ingested.tracks} tracks, ${r.ingested.videos} videos`],
    ['ready / failed jobs', `${r.ready} / ${r.failed}`],
    ['jobs lost', String(r.lost)],
    ['jobs duplicated', String(r.duplicated)],
    ['jobs stranded', String(r.stranded)],
    ['duplicate embeddings', String(r.duplicateEmbeddings)],
    ...r.faults.map((f): [string, string] => [
      `ready after: ${f.fault}`,
      f.readyAfterS === null ? 'never' : `${f.readyAfterS} s`,
    ]),
    ['run time', `${r.seconds} s`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

/** The worker entry built by `npm run build`. */
export const builtWorker = () => path.join(projectRoot(), 'dist', 'src', 'bin', 'worker.js');
