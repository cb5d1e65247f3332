import cluster from 'node:cluster';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobKind } from '../generated/prisma/enums';
import type { ModelFolder } from '../inference/model-manifest';
import { clusterMetricsReader } from './cluster-metrics';

export type JobOutcome = 'succeeded' | 'retried' | 'failed';

// Seconds. GraphQL reads are milliseconds; a suggestBgm is one HNSW query plus a page of tracks.
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// A job decodes media and runs the model over every 32 s window: seconds to minutes.
const JOB_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
// One ONNX batch: milliseconds on a GPU, up to seconds on a busy CPU.
const INFERENCE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The Prometheus metrics of one app instance. Each instance owns its Registry instead of using
 * prom-client's global one: tests start several apps in one process, and a shared registry would
 * mix their numbers (or throw on the second registration of a name).
 */
export class AppMetrics {
  readonly registry = new Registry();

  readonly graphqlDuration = new Histogram({
    name: 'bgm_graphql_request_duration_seconds',
    help: 'GraphQL operations by operation name, type and result',
    labelNames: ['operation', 'type', 'result'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  readonly suggestDuration = new Histogram({
    name: 'bgm_suggest_bgm_duration_seconds',
    help: 'Time to answer suggestBgm once the caller is authenticated (video checks, vector search or cache, tracks)',
    labelNames: ['result'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  readonly suggestionsServed = new Counter({
    name: 'bgm_suggest_bgm_served_total',
    help: 'suggestBgm pages served, by the model version that ranked them and its arm (active, or the canary)',
    labelNames: ['model_version', 'arm'] as const,
    registers: [this.registry],
  });

  readonly suggestCandidates = new Counter({
    name: 'bgm_suggest_candidates_total',
    help: 'suggestBgm statements by where their candidates came from: index (the in-process candidate index) or walk (pgvector, while the index is built or behind the catalog)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly suggestCache = new Counter({
    name: 'bgm_suggest_cache_lookups_total',
    help: 'suggestBgm answers looked up in the response cache: hit, joined (waited for the same search running), miss (not kept), stale (kept, but its data changed)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'bgm_jobs_total',
    help: 'Job executions by kind and outcome (retried: transient fault, delivered again later)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'bgm_job_duration_seconds',
    help: 'Job execution time by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });

  readonly inferenceDuration = new Histogram({
    name: 'bgm_inference_duration_seconds',
    help: 'ONNX session.run time per batch, by model version, branch (bgm, query) and execution provider',
    labelNames: ['model_version', 'branch', 'provider'] as const,
    buckets: INFERENCE_BUCKETS,
    registers: [this.registry],
  });

  /** The host's metrics when this process is one of a cluster's (cluster-metrics.ts); else this registry's. */
  private readonly read: () => Promise<string>;

  constructor(defaultLabels: Record<string, string> = {}) {
    this.registry.setDefaultLabels(defaultLabels);
    collectDefaultMetrics({ register: this.registry });
    this.read = cluster.isWorker ? clusterMetricsReader(this.registry) : () => this.registry.metrics();
  }

  /** JobRunner's onOutcome hook. */
  readonly observeJob = (kind: JobKind, outcome: JobOutcome, ms: number): void => {
    this.jobs.inc({ kind, outcome });
    this.jobDuration.observe({ kind, outcome }, ms / 1000);
  };

  /** OnnxEmbedder's onInference hook. */
  readonly observeInference = (model: ModelFolder, branch: 'bgm' | 'query', ms: number, provider: string): void => {
    const version = `${model.manifest.name}@${model.manifest.version}`;
    this.inferenceDuration.observe({ model_version: version, branch, provider }, ms / 1000);
  };

  /**
   * A gauge whose value is read when Prometheus scrapes. `read` must not throw: a failing source
   * (database down) leaves the gauge without samples instead of failing the whole scrape.
   */
  scrapeGauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: (gauge: Gauge<L>) => Promise<void>,
  ): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      // Every process of a cluster reads the same source: the host's value is one reading, not their sum.
      aggregator: 'max',
      async collect() {
        await read(this);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.read();
  }
}
