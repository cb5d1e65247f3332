import type { Logger } from '../common/logger';
import type { JobKind, JobRecord } from '../db/prisma-types';
import type { UnitOfWork } from '../db/unit-of-work';
import type { JobRepository } from './job.repository';

/** Stalled jobs handled per kind and run: a backlog after a long outage drains over a few runs. */
const BATCH = 500;

export interface ReconcileResult {
  rearmed: number;
  failed: number;
}

/**
 * Unfinished jobs of each kind that nothing will deliver again: no progress for `stallAfterMs`,
 * no message waiting in the outbox, and no job of that kind ran or finished in that time either.
 * The last condition keeps jobs waiting behind a live backlog (a catalog re-embed) from counting:
 * while the queue delivers their kind, it will reach them; once it has not delivered for the
 * bound, whatever is left unfinished was lost. (The queue's own counts cannot say which messages
 * are still deliverable: a NATS 2.9 work queue keeps terminated and exhausted messages.)
 */
export async function countStranded(
  jobs: Pick<JobRepository, 'unfinishedByKind'>,
  stallAfterMs: number,
): Promise<Map<JobKind, number>> {
  const out = new Map<JobKind, number>();
  for (const r of await jobs.unfinishedByKind(stallAfterMs)) out.set(r.kind, r.progressing ? 0 : r.stalled);
  return out;
}

/** All stranded jobs, for readiness and the metric. */
export async function totalStranded(
  jobs: Pick<JobRepository, 'unfinishedByKind'>,
  stallAfterMs: number,
): Promise<number> {
  return [...(await countStranded(jobs, stallAfterMs)).values()].reduce((a, b) => a + b, 0);
}

/**
 * Guarantees progress whatever the queue lost. A message can be gone while its job is unfinished:
 * NATS stops delivering after max_deliver (a database outage fails every delivery), the embedded
 * queue forgets its messages on a crash, a worker dies on the last delivery. Each run finds such
 * stranded jobs (countStranded) and republishes them through the outbox under a new msgId (the
 * old one may still be in the queue's dedup window; a late delivery of the old message is
 * superseded and acknowledged without work), or, once a job was republished as many times as it
 * has attempts, fails it and its subject with the reason, where failedJobs lists it and retryJob
 * takes it back.
 */
export class JobReconciler {
  constructor(
    private readonly deps: {
      jobs: JobRepository;
      uow: UnitOfWork<{ jobs: JobRepository }>;
      /** Fails the job and its subject (the runner's give-up path). */
      giveUp: (job: JobRecord, reason: string) => Promise<void>;
      /** Called after jobs were republished: the outbox has rows to publish. */
      onRearmed: () => void;
      logger: Logger;
      stallAfterMs: number;
    },
  ) {}

  stranded(): Promise<Map<JobKind, number>> {
    return countStranded(this.deps.jobs, this.deps.stallAfterMs);
  }

  async reconcile(): Promise<ReconcileResult> {
    const { jobs, uow, logger, stallAfterMs } = this.deps;
    const result: ReconcileResult = { rearmed: 0, failed: 0 };
    for (const [kind, n] of await this.stranded()) {
      if (n === 0) continue;
      for (const job of await jobs.claimStalled(kind, stallAfterMs, Math.min(n, BATCH))) {
        const log = logger.child({ jobId: job.id, kind, status: job.status, attempts: job.attempts });
        if (job.rearms >= job.maxAttempts) {
          const last = job.lastError ? `; last error: ${job.lastError}` : '';
          const reason =
            `no progress for ${Math.round(stallAfterMs / 1000)} s after ${job.rearms} republishes: ` +
            `its deliveries were lost (queue or database outage, or a worker dying on it)${last}`;
          await this.deps.giveUp(job, reason);
          log.error({ reason }, 'stranded job failed');
          result.failed += 1;
        } else {
          await uow.run((r) => r.jobs.rearm(job.id));
          log.warn({ rearms: job.rearms + 1 }, 'stranded job republished');
          result.rearmed += 1;
        }
      }
    }
    if (result.rearmed > 0) this.deps.onRearmed();
    return result;
  }
}
