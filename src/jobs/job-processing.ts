import path from 'node:path';
import type { Logger } from '../common/logger';
import type { AppConfig } from '../config/config';
import type { UnitOfWork } from '../db/unit-of-work';
import { JobKind } from '../generated/prisma/enums';
import { OnnxEmbedder } from '../inference/embedder';
import { OnnxPool } from '../inference/onnx-pool';
import { VoiceActivityDetector } from '../inference/voice-activity';
import type { AppMetrics } from '../metrics/metrics';
import type { MediaStorage } from '../storage/media-storage';
import { EmbedTrackHandler } from './handlers/embed-track.handler';
import { EmbedVideoHandler } from './handlers/embed-video.handler';
import type { HandlerDeps, HandlerRepositories, ModelFolders } from './handlers/handler-deps';
import { type EvaluateModelDeps, EvaluateModelHandler } from './handlers/evaluate-model.handler';
import { ProbeModelHandler, type ProbeRows } from './handlers/probe-model.handler';
import { ReembedCatalogHandler } from './handlers/reembed-catalog.handler';
import { type RenderRows, RenderPreviewHandler } from './handlers/render-preview.handler';
import { startRenderSweep } from './render-sweep';
import type { JobRepository } from './job.repository';
import { JobReconciler, type ReconcileResult } from './job-reconciler';
import { JobRunner } from './job-runner';
import type { ConsumerHandle, JobQueue } from './queue/job-queue';
import { startRetentionSweep } from './retention-sweep';
import { startPeriodic } from '../common/periodic';
import { topicFor } from './topics';

/** How often each worker prunes old finished jobs (the deletes are idempotent across workers). */
const RETENTION_SWEEP_MS = 10 * 60_000;
/** How often each worker deletes expired preview renders (rows locked SKIP LOCKED: no double work). */
const RENDER_SWEEP_MS = 5 * 60_000;
/** Longest ffmpeg run of a preview render. */
const RENDER_TIMEOUT_MS = 5 * 60_000;
/** Music level in the voice-over's gaps; the ducking plan lowers it further under speech. */
const RENDER_MUSIC_GAIN_DB = -6;

export interface JobProcessing {
  runner: JobRunner;
  /** One reconciler run now (it also runs every JOB_RECONCILE_INTERVAL_MS). */
  reconcile(): Promise<ReconcileResult>;
  /** Stops taking jobs, lets the ones in flight finish, closes the inference threads. */
  stop(): Promise<void>;
}

/**
 * Consumes the job queue with the embedding handlers. The worker process runs this over NATS; the
 * embedded default runs the very same code over the in-process queue.
 */
export async function startJobProcessing(deps: {
  config: Pick<AppConfig, 'worker' | 'inference' | 'media' | 'dataDir'>;
  logger: Logger;
  repos: HandlerRepositories & {
    jobs: JobRepository;
    renders: RenderRows;
    models: ProbeRows & Pick<EvaluateModelDeps['models'], 'findById'>;
    embeddings: Pick<EvaluateModelDeps, 'findVideoEmbedding'>;
  };
  /** suggestBgm's ranking for a video under a version (the gate ranks held-out choices with it). */
  rankerFor: EvaluateModelDeps['rankerFor'];
  /** Writes the gate's outcome, and on a pass starts the rater experiment and the canary (model-canary.ts). */
  finishEvaluation: EvaluateModelDeps['models']['finishEvaluation'];
  uow: UnitOfWork<HandlerRepositories & { jobs: JobRepository }>;
  queue: JobQueue;
  storage: MediaStorage;
  models: ModelFolders;
  onEnqueued: () => void;
  /** Called after media was embedded for a version waiting to become active (it may cover the catalog now). */
  onPendingModelEmbedded: (modelVersionId: string) => Promise<void>;
  /** Receives job outcomes and inference timings. */
  metrics?: AppMetrics;
}): Promise<JobProcessing> {
  const { config, logger, repos, uow, queue, storage, onEnqueued, metrics } = deps;
  const pool = new OnnxPool(
    config.inference.threads,
    { provider: config.inference.provider, threadsPerSession: config.inference.intraOpThreads },
    logger,
  );
  const handlerDeps: HandlerDeps = {
    repos,
    uow,
    storage,
    embedder: new OnnxEmbedder(pool, config.inference.batchSize, metrics?.observeInference),
    models: deps.models,
    vad: new VoiceActivityDetector(pool),
    limits: config.media,
    onPendingModelEmbedded: deps.onPendingModelEmbedded,
  };
  const runner = new JobRunner(
    [
      new EmbedTrackHandler(handlerDeps),
      new EmbedVideoHandler(handlerDeps),
      new ReembedCatalogHandler(handlerDeps, onEnqueued),
      new ProbeModelHandler({ models: repos.models, folders: deps.models, embedder: handlerDeps.embedder }),
      new EvaluateModelHandler({
        models: { findById: (id) => repos.models.findById(id), finishEvaluation: deps.finishEvaluation },
        findVideoEmbedding: (videoId, versionId) => repos.embeddings.findVideoEmbedding(videoId, versionId),
        rankerFor: deps.rankerFor,
      }),
      new RenderPreviewHandler({
        repos,
        storage,
        limits: config.media,
        scratchDir: path.join(config.dataDir, 'render-scratch'),
        musicGainDb: RENDER_MUSIC_GAIN_DB,
        timeoutMs: RENDER_TIMEOUT_MS,
      }),
    ],
    repos.jobs,
    logger,
    {
      heartbeatMs: Math.max(500, Math.floor(config.worker.ackWaitMs / 3)),
      retryBaseMs: config.worker.retryBaseMs,
      retryMaxMs: 5 * 60_000,
    },
    metrics?.observeJob,
  );
  // One consumer per job kind: a re-embed of the whole catalog queues millions of embed-track
  // jobs, and new videos (a user waiting for suggestions) must not queue behind them.
  const concurrency: Record<JobKind, number> = {
    EMBED_VIDEO: config.worker.videoConcurrency,
    EMBED_TRACK: config.worker.concurrency,
    REEMBED_CATALOG: 1, // fans out into embed-track jobs; light
    RENDER_PREVIEW: config.worker.videoConcurrency, // ffmpeg, about a core each
    PROBE_MODEL: 1, // a registration now and then; a few inferences each
    EVALUATE_MODEL: 1, // a few thousand ranking queries per evaluation
  };
  const consumers: ConsumerHandle[] = [];
  try {
    for (const kind of Object.values(JobKind)) {
      consumers.push(
        await queue.consume(
          {
            topic: topicFor(kind),
            concurrency: concurrency[kind],
            maxDeliver: config.worker.maxDeliver,
            ackWaitMs: config.worker.ackWaitMs,
            outageRetryMs: config.worker.outageRetryMs,
          },
          runner.handle,
        ),
      );
    }
  } catch (err) {
    await Promise.allSettled(consumers.map((c) => c.stop()));
    await pool.close();
    throw err;
  }
  const stopRetention = startRetentionSweep(repos.jobs, logger, config.worker.retentionDays, RETENTION_SWEEP_MS);
  const stopRenderSweep = startRenderSweep(repos.renders, storage, logger, RENDER_SWEEP_MS);
  // Every worker runs it; claims are row-locked (SKIP LOCKED), so they never take the same job.
  const reconciler = new JobReconciler({
    jobs: repos.jobs,
    uow,
    giveUp: (job, reason) => runner.giveUpStranded(job, reason),
    onRearmed: onEnqueued,
    logger: logger.child({ component: 'job-reconciler' }),
    stallAfterMs: config.worker.stallAfterMs,
  });
  const reconcile = async () => {
    const result = await reconciler.reconcile();
    if (result.rearmed + result.failed > 0) logger.warn(result, 'reconciled stranded jobs');
  };
  const stopReconciler = startPeriodic('job reconciler', reconcile, config.worker.reconcileIntervalMs, logger);
  logger.info({ queue: queue.kind, concurrency, inference: config.inference }, 'processing jobs');
  return {
    runner,
    reconcile: () => reconciler.reconcile(),
    stop: async () => {
      await stopReconciler();
      await stopRetention();
      await stopRenderSweep();
      await Promise.all(consumers.map((c) => c.stop()));
      await pool.close();
    },
  };
}
