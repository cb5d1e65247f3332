import { Gauge } from 'prom-client';
import type { Logger } from '../common/logger';
import type { EmbeddingCoverage, EmbeddingCoverageRepository } from './embedding-coverage.repository';
import type { AppMetrics } from './metrics';

/*
 * The sources are described by what the gauges read, not imported from the job pipeline or the
 * modules: metrics sit below both, and the composition root passes the real queue and repositories.
 */

/** A job queue as the lag gauge reads it. */
export interface QueueLagSource {
  readonly kind: string;
  /** Messages not yet acknowledged, per topic. */
  pendingByTopic(): Promise<Record<string, number>>;
}

/** The active model version, as the coverage gauges name it. */
export interface ActiveModelSource {
  findActive(): Promise<{ id: string; name: string; version: string } | null>;
}

/** Queue lag and the outbox backlog, read on every scrape (both are cheap, indexed reads). */
export function registerQueueGauges(
  metrics: AppMetrics,
  deps: {
    queue: QueueLagSource;
    /** Every topic, so that an idle one is reported as 0. */
    topics: readonly string[];
    outbox: { unpublishedCount(): Promise<number> };
    logger: Logger;
  },
): void {
  const { queue, topics, outbox, logger } = deps;
  metrics.scrapeGauge(
    'bgm_queue_lag_messages',
    'Job messages in the queue not yet acknowledged, per topic',
    ['queue', 'topic'],
    async (g) => {
      g.reset();
      try {
        // One consumer per job kind: a re-embed backlog on embed-track and the embed-video lag are
        // different alarms. Every topic is reported, 0 when empty, so alerts see an idle lane too.
        const lag = await queue.pendingByTopic();
        for (const topic of topics) g.set({ queue: queue.kind, topic }, lag[topic] ?? 0);
      } catch (err) {
        logger.warn({ err }, 'metrics: queue lag unavailable');
      }
    },
  );
  metrics.scrapeGauge(
    'bgm_outbox_unpublished_messages',
    'Outbox rows not yet published to the queue',
    [],
    async (g) => {
      g.reset();
      try {
        g.set(await outbox.unpublishedCount());
      } catch (err) {
        logger.warn({ err }, 'metrics: outbox backlog unavailable');
      }
    },
  );
}

interface CoverageSample extends EmbeddingCoverage {
  modelVersion?: string;
}

/**
 * Embedding coverage of the active model version: READY tracks embedded under it / live tracks.
 * The count scans the catalog, so it is cached for `cacheMs` and registered by API processes only
 * (fifty workers each counting ten million rows per scrape would load the database for nothing).
 */
export function registerCatalogGauges(
  metrics: AppMetrics,
  deps: {
    models: ActiveModelSource;
    coverage: EmbeddingCoverageRepository;
    logger: Logger;
    cacheMs?: number;
  },
): void {
  const { models, coverage, logger, cacheMs = 30_000 } = deps;
  let cached: { at: number; sample: Promise<CoverageSample | undefined> } | undefined;
  const read = (): Promise<CoverageSample | undefined> => {
    if (!cached || Date.now() - cached.at > cacheMs) {
      const sample = (async () => {
        const model = await models.findActive();
        if (!model) return coverage.coverage(null);
        return { ...(await coverage.coverage(model.id)), modelVersion: `${model.name}@${model.version}` };
      })().catch((err: unknown) => {
        logger.warn({ err }, 'metrics: embedding coverage unavailable');
        cached = undefined;
        return undefined;
      });
      cached = { at: Date.now(), sample };
    }
    return cached.sample;
  };

  metrics.scrapeGauge('bgm_catalog_live_tracks', 'Tracks not retired', [], async (g) => {
    g.reset();
    const s = await read();
    if (s) g.set(s.live);
  });
  metrics.scrapeGauge(
    'bgm_catalog_embedded_tracks',
    'Live READY tracks with an embedding under the active model version',
    ['model_version'],
    async (g) => {
      g.reset();
      const s = await read();
      if (s?.modelVersion) g.set({ model_version: s.modelVersion }, s.embedded);
    },
  );
  metrics.scrapeGauge(
    'bgm_embedding_coverage_ratio',
    'Embedded / live tracks under the active model version (1 when the catalog is empty)',
    ['model_version'],
    async (g) => {
      g.reset();
      const s = await read();
      if (s?.modelVersion) g.set({ model_version: s.modelVersion }, s.live === 0 ? 1 : s.embedded / s.live);
    },
  );
}

/**
 * Jobs the queue will never deliver again and that made no progress for the stall bound (see
 * jobs/job-reconciler.ts). Workers republish or fail them; a value that stays above 0 means the
 * reconciler cannot (no worker running, or the database or queue unreachable from it).
 */
export function registerStrandedJobsGauge(
  metrics: AppMetrics,
  deps: { stranded: () => Promise<number>; logger: Logger },
): void {
  metrics.scrapeGauge(
    'bgm_jobs_stranded',
    'Unfinished jobs without progress for JOB_STALL_AFTER_MS and without a message in the queue',
    [],
    async (g) => {
      g.reset();
      try {
        g.set(await deps.stranded());
      } catch (err) {
        deps.logger.warn({ err }, 'metrics: stranded jobs unavailable');
      }
    },
  );
}

/** The in-process candidate index as its gauge reads it. */
export interface CandidateIndexSource {
  /** Versions whose graph has been built, with the tracks each holds. */
  builtVersions(): { versionId: string; tracks: number }[];
}

/**
 * Tracks in each version's in-process candidate graph (absent: not built yet; suggestBgm walks
 * pgvector's index meanwhile). Over a cluster, the smallest reading: a version counts as built
 * when every process has built it.
 */
export function registerCandidateIndexGauge(metrics: AppMetrics, index: CandidateIndexSource): void {
  new Gauge({
    name: 'bgm_candidate_index_tracks',
    help: "Tracks in each model version's in-process candidate graph (absent until built; the least over a cluster's processes)",
    labelNames: ['version'] as const,
    registers: [metrics.registry],
    aggregator: 'min',
    collect() {
      this.reset();
      for (const { versionId, tracks } of index.builtVersions()) this.set({ version: versionId }, tracks);
    },
  });
}
