import path from 'node:path';
import { JwtAuthenticator } from '../auth/jwt';
import { resolveJwtSecret } from '../auth/secret';
import type { Logger } from '../common/logger';
import { startPeriodic } from '../common/periodic';
import type { AppConfig } from '../config/config';
import { openDatabase, type Database } from '../db/database';
import { migrate } from '../db/migrator';
import { searchAtIndexBuild } from '../db/search-at-index-build';
import { TRACK_INDEX_BUILD } from '../db/track-index';
import type { UnitOfWork } from '../db/unit-of-work';
import { JobKind } from '../generated/prisma/enums';
import { startHttpServer } from '../http/app-server';
import { type JobProcessing, startJobProcessing } from '../jobs/job-processing';
import { totalStranded } from '../jobs/job-reconciler';
import { OutboxRelay } from '../jobs/outbox-relay';
import type { JobQueue } from '../jobs/queue/job-queue';
import { openQueue } from '../jobs/queue/open-queue';
import { topicFor } from '../jobs/topics';
import { EmbeddingCoverageRepository } from '../metrics/embedding-coverage.repository';
import { AppMetrics } from '../metrics/metrics';
import {
  registerCandidateIndexGauge,
  registerCatalogGauges,
  registerQueueGauges,
  registerStrandedJobsGauge,
} from '../metrics/scrape-gauges';
import { observeSuggestion } from '../metrics/suggestion-metrics';
import { PreviewLinks } from '../modules/experiment/preview-links';
import { RenderLinks } from '../modules/preview-render/render-links';
import { bootstrapModel } from '../modules/model-version/bootstrap-model';
import { completeActivationIfCovered, startCoverageSweep } from '../modules/model-version/model-activation';
import { startGateSweep } from '../modules/model-version/model-gate';
import { finishGate } from '../modules/model-version/model-canary';
import { CandidateIndex } from '../modules/suggestion/candidates/candidate-index';
import { rankTracks } from '../modules/suggestion/rank-tracks';
import { vocalPenaltiesFor } from '../modules/suggestion/instrumental-preference';
import { ModelStore } from '../modules/model-version/model-store';
import { openMediaStorage } from '../storage/open-media-storage';
import { S3MediaStorage } from '../storage/s3-media-storage';
import { createServices, type Services } from './create-services';
import { loadDemoCatalog } from './load-demo-catalog';
import { createRepositories, prismaUnitOfWork, type Repositories } from './repositories';
import { buildAppSchema, type ResolverServices } from './schema';

export type Role = 'api' | 'worker';

/** The object store's readiness check gives up after this (under the probe's own 3 s bound). */
const OBJECT_STORE_PING_MS = 2000;

/** How often the API deletes uploads left unregistered too long. */
const UPLOAD_SWEEP_MS = 10 * 60_000;

export interface App {
  role: Role;
  url: string;
  config: AppConfig;
  db: Database;
  queue: JobQueue;
  repos: Repositories;
  uow: UnitOfWork<Repositories>;
  services: Services;
  relay: OutboxRelay;
  authenticator: JwtAuthenticator;
  jobs?: JobProcessing;
  metrics: AppMetrics;
  /** suggestBgm's in-process candidate index (API role, unless SUGGEST_CANDIDATE_INDEX=off). */
  candidateIndex?: CandidateIndex;
  stop(): Promise<void>;
}

/**
 * The composition root: opens the seams named by the config (Postgres or PGlite, NATS or the
 * in-process queue) and wires the same services over either. The `api` role serves GraphQL (and
 * runs jobs too when config.runJobs, as on the embedded default); the `worker` role runs jobs and
 * serves only health probes.
 */
export async function startApp(config: AppConfig, logger: Logger, role: Role = 'api'): Promise<App> {
  // Stopped in reverse order of start: HTTP (Apollo with it), job processing (consumers, then the
  // inference threads), the outbox relay, the queue (NATS drained), the database last. Each step
  // says at info level that it finished, so an operator sees from the log how far a shutdown got.
  const stack: { what: string; stop: () => Promise<void> }[] = [];
  const onStop = (what: string, stop: () => Promise<void>) => stack.push({ what, stop });
  // Once: a second call waits for the first (the stack used to be reversed in place, so an
  // overlapping call would walk it in the other order and end early). A log that read "database
  // closed", "stopped", "queue closed" was the asynchronous log stream, not this order: see logger.ts.
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const { what, stop } of [...stack].reverse()) {
        try {
          await stop();
          logger.info(what);
        } catch (err) {
          logger.error({ err, step: what }, 'error during shutdown');
        }
      }
      stack.length = 0;
    })());
  try {
    let db = await openDatabase(config.database, logger);
    onStop('database closed', () => db.close());
    const migrations = await migrate(db.sql);
    db = await searchAtIndexBuild(db, config.database, logger);
    logger.info({ database: db.kind, applied: migrations.applied, hnswEfSearch: db.hnswEfSearch }, 'database ready');

    const queue = await openQueue(config.queue, logger);
    onStop('queue closed', () => queue.close());
    const metrics = new AppMetrics({ role });
    const repoOptions = { jobMaxAttempts: config.worker.maxAttempts };
    // Only the API ranks suggestBgm pages; a worker would hold the graphs for nothing.
    const candidateIndex =
      role === 'api' && config.candidateIndex
        ? new CandidateIndex(db.sql, { ...TRACK_INDEX_BUILD, ef: config.candidateIndex.ef, logger })
        : undefined;
    if (candidateIndex) {
      onStop('candidate index stopped', () => candidateIndex.close());
      registerCandidateIndexGauge(metrics, candidateIndex);
    }
    const repos = createRepositories(db.prisma, {
      ...repoOptions,
      sql: db.sql,
      suggestionCache: {
        maxSuggestions: config.suggestCacheSuggestions,
        onLookup: (result) => metrics.suggestCache.inc({ result }),
      },
      candidates: candidateIndex && {
        index: candidateIndex,
        genericPlanSql: db.genericPlanSql,
        onSource: (source) => metrics.suggestCandidates.inc({ source }),
      },
    });
    const uow = prismaUnitOfWork(db.prisma, repoOptions);
    if (queue.kind === 'in-process') {
      // The embedded queue kept its messages in memory; the job table says what is unfinished.
      const requeued = await repos.outbox.republishUnfinishedJobs();
      if (requeued > 0) logger.info({ requeued }, 'requeued unfinished jobs');
    }
    const relay = new OutboxRelay(uow, queue, logger, config.outboxPollMs);
    relay.start();
    onStop('outbox relay stopped', () => relay.stop());

    const storage = openMediaStorage(config);
    // On an object store model versions live in it too; on the folder they stay file:// folders.
    const modelObjects = config.mediaStore.kind === 's3' ? storage : undefined;
    await bootstrapModel(config.modelDir, uow, logger, modelObjects);
    // Built in the background from now, not from the first suggestBgm call (which walks meanwhile).
    const active = candidateIndex && (await repos.models.findActive());
    if (active) candidateIndex?.want(active.id);
    const onEnqueued = () => relay.kick();
    const secret = resolveJwtSecret(config.auth.secret, config.dataDir);
    const authenticator = new JwtAuthenticator({ ...config.auth, secret });
    // Previews (rater pages, renderPreview links) are served by the API only; a worker signs none.
    const servesApi = role === 'api';
    const previewLinks = new PreviewLinks(servesApi ? secret : undefined);
    const renderLinks = new RenderLinks(servesApi ? secret : undefined);
    const services = createServices({
      repos,
      uow,
      storage,
      limits: config.limits,
      uploads: config.uploads,
      instrumental: config.instrumental,
      onEnqueued,
      logger,
      previewLinks,
      renderLinks,
      previewRender: config.previewRender,
      onSuggest: (outcome) => observeSuggestion(metrics, outcome),
    });

    registerQueueGauges(metrics, {
      queue,
      topics: Object.values(JobKind).map(topicFor),
      outbox: repos.outbox,
      logger,
    });
    if (role === 'api')
      registerCatalogGauges(metrics, {
        models: repos.models,
        coverage: new EmbeddingCoverageRepository(db.prisma),
        logger,
      });

    let jobs: JobProcessing | undefined;
    if (role === 'worker' || config.runJobs) {
      const activationCheckMs = config.worker.activationCheckMs;
      jobs = await startJobProcessing({
        config,
        logger,
        repos,
        uow,
        queue,
        storage,
        // Versions registered from archives live in the media store in both modes (media://models/...).
        models: new ModelStore({ store: storage, cacheDir: path.join(config.dataDir, 'model-cache') }),
        onEnqueued,
        rankerFor: async (videoId) => {
          const penalties = await vocalPenaltiesFor(repos, config.instrumental, videoId);
          return async (versionId, query, first) =>
            (await rankTracks(repos.embeddings, versionId, query, first, {}, penalties)).map((t) => t.trackId);
        },
        finishEvaluation: (id, requestedAt, evaluation) =>
          finishGate(uow, id, requestedAt, evaluation, config.canary.defaultShare, logger),
        onPendingModelEmbedded: async (modelVersionId) =>
          void (await completeActivationIfCovered(uow, modelVersionId, logger, activationCheckMs)),
        metrics,
      });
      const running = jobs;
      onStop('job processing stopped', () => running.stop());
      // Where jobs run, a pending version whose last track another worker embedded still gets checked.
      onStop('coverage sweep stopped', startCoverageSweep(uow, logger, activationCheckMs));
      // Likewise for evaluations (the gate) waiting for their embeddings.
      onStop('gate sweep stopped', startGateSweep(uow, logger, activationCheckMs, onEnqueued));
    }

    if (role === 'api')
      // Uploads nobody registered within UPLOAD_UNREGISTERED_MAX_AGE_HOURS (idempotent across APIs).
      onStop(
        'upload sweep stopped',
        startPeriodic(
          'upload sweep',
          async () => void (await services.uploads.sweepUnregistered()),
          UPLOAD_SWEEP_MS,
          logger,
        ),
      );
    // Stranded work, for /readyz and /metrics. The count reads every unfinished job, so probes and
    // scrapes share one reading for a few seconds.
    const countNow = () => totalStranded(repos.jobs, config.worker.stallAfterMs);
    let strandedReading: { at: number; count: Promise<number> } | undefined;
    const stranded = () => {
      if (!strandedReading || Date.now() - strandedReading.at > 2000) {
        const count = countNow();
        count.catch(() => (strandedReading = undefined));
        strandedReading = { at: Date.now(), count };
      }
      return strandedReading.count;
    };
    registerStrandedJobsGauge(metrics, { stranded, logger });

    if (role === 'api' && config.demoCatalog) await loadDemoCatalog(services, storage, logger);

    const http = await startHttpServer({
      config,
      logger,
      authenticator,
      metrics,
      // Only the API role serves GraphQL, uploads, the rater page and render links.
      api: servesApi
        ? {
            schema: await buildAppSchema(),
            services: services satisfies ResolverServices,
            uploads: services.uploads,
            rater: { links: previewLinks, previews: services.preferences, renders: services.renders, storage },
            renders: { links: renderLinks, renders: repos.renders, storage },
          }
        : undefined,
      readiness: [
        { name: 'database', critical: true, check: async () => void (await db.sql.query('SELECT 1')) },
        // Workers cannot work without the queue; the API keeps accepting (its outbox waits for NATS).
        { name: 'queue', critical: role === 'worker' || Boolean(jobs), check: () => queue.ping() },
        // MEDIA_STORE=s3: without the store no embedding works, so a process that runs jobs is not
        // ready. An API without job handlers reports it and keeps serving: suggestions, lists and
        // votes do not need the store, only uploads, registrations and previews (which answer 503).
        ...(storage instanceof S3MediaStorage
          ? [
              {
                name: 'objectStore',
                critical: role === 'worker' || Boolean(jobs),
                check: () => storage.ping(OBJECT_STORE_PING_MS),
              },
            ]
          : []),
        // Where jobs run, stranded work means this process cannot reconcile it: not ready. An API
        // without job handlers reports it and keeps serving.
        {
          name: 'jobs',
          critical: Boolean(jobs),
          check: async () => {
            const n = await stranded();
            if (n > 0)
              throw new Error(
                `${n} job(s) stranded: no progress for ${config.worker.stallAfterMs / 1000} s and no message in the queue`,
              );
          },
        },
      ],
    });
    onStop('http server stopped', () => http.stop());
    logger.info(
      { role, url: http.url, database: db.kind, queue: queue.kind, runsJobs: Boolean(jobs) },
      'bgm-backend started',
    );
    return {
      role,
      url: http.url,
      config,
      db,
      queue,
      repos,
      uow,
      services,
      relay,
      authenticator,
      jobs,
      metrics,
      candidateIndex,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
