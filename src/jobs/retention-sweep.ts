import type { Logger } from '../common/logger';
import { startPeriodic } from '../common/periodic';
import type { JobRepository } from './job.repository';

const DAY_MS = 24 * 60 * 60_000;
/** Rows per statement: short transactions, so the sweep never holds locks for long. */
const BATCH = 5000;
/** Batches per run: a backlog (the first run after a 10 M-track re-embed) drains over a few runs. */
const MAX_BATCHES = 40;

/**
 * Deletes SUCCEEDED jobs (and their outbox rows) finished more than `retentionDays` ago. A catalog
 * re-embed writes one job and one outbox row per track; without this both tables grow forever.
 * Returns the jobs deleted.
 */
export async function pruneFinishedJobs(
  jobs: Pick<JobRepository, 'pruneSucceeded'>,
  retentionDays: number,
  now = new Date(),
): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await jobs.pruneSucceeded(cutoff, BATCH);
    total += n;
    if (n < BATCH) break;
  }
  return total;
}

/** Runs pruneFinishedJobs every `intervalMs` in a worker process. Returns a stop function. */
export function startRetentionSweep(
  jobs: Pick<JobRepository, 'pruneSucceeded'>,
  logger: Logger,
  retentionDays: number,
  intervalMs: number,
): () => Promise<void> {
  const prune = async () => {
    const n = await pruneFinishedJobs(jobs, retentionDays);
    if (n > 0) logger.info({ jobs: n, retentionDays }, 'pruned finished jobs');
  };
  return startPeriodic('job retention sweep', prune, intervalMs, logger);
}
