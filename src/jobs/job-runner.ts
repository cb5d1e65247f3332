import type { Logger } from '../common/logger';
import type { JobRecord } from '../db/prisma-types';
import { JobKind } from '../generated/prisma/enums';
import type { JobRepository } from './job.repository';
import type { Delivery, Outcome } from './queue/job-queue';
import { isPermanent, type JobHandler, reasonOf } from './job-handler';

export interface JobRunnerOptions {
  /** How often a busy handler tells the queue it is alive (well under the ack wait). */
  heartbeatMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * Turns queue deliveries into job executions. The job row is the truth: a delivery of a job that
 * already finished is acknowledged without work (redelivery, duplicate publish), a transient fault
 * is retried with backoff until the job's attempt budget is spent, and a permanent one fails the
 * job and its subject at once with the reason kept.
 *
 * A poisoned job, one whose worker dies (crash, OOM kill, lost connection) on every attempt, never
 * reaches the catch below. Each delivery still counts an attempt in `start`, and the queue delivers
 * at least maxAttempts + 1 times (config checks WORKER_MAX_DELIVER > JOB_MAX_ATTEMPTS), so the
 * delivery after the last allowed attempt fails the job and its subject instead of leaving them
 * PROCESSING forever.
 */
export class JobRunner {
  private readonly handlers = new Map<JobKind, JobHandler>();

  constructor(
    handlers: JobHandler[],
    private readonly jobs: JobRepository,
    private readonly logger: Logger,
    private readonly options: JobRunnerOptions,
    private readonly onOutcome?: (kind: JobKind, outcome: 'succeeded' | 'retried' | 'failed', ms: number) => void,
  ) {
    for (const h of handlers) {
      if (this.handlers.has(h.kind)) throw new Error(`Two handlers for job kind ${h.kind}`);
      this.handlers.set(h.kind, h);
    }
    const missing = Object.values(JobKind).filter((k) => !this.handlers.has(k));
    if (missing.length > 0) throw new Error(`No handler for job kind(s) ${missing.join(', ')}`);
  }

  readonly handle = async (delivery: Delivery): Promise<Outcome> => {
    const jobId = (delivery.data as { jobId?: unknown } | null)?.jobId;
    if (typeof jobId !== 'string') return { type: 'term', reason: 'message without jobId' };
    const job = await this.jobs.start(jobId, delivery.msgId);
    if (!job) return { type: 'ack' }; // finished already, deleted, or republished under another message
    const handler = this.handlers.get(job.kind)!;
    const logger = this.logger.child({
      jobId,
      kind: job.kind,
      attempt: job.attempts,
      delivery: delivery.deliveryCount,
    });
    if (job.attempts > job.maxAttempts) {
      const last = job.lastError ? `; last error: ${job.lastError}` : '';
      const final = `gave up after ${job.maxAttempts} attempts: the last ended without an outcome (the worker stopped or lost the job)${last}`;
      return this.giveUp(handler, job, final, logger, Date.now());
    }
    // The queue's heartbeat keeps the message; the row's tells the reconciler the job is alive.
    const heartbeat = setInterval(() => {
      delivery.working();
      this.jobs.touch(jobId).catch((err: unknown) => logger.warn({ err }, 'job heartbeat not recorded'));
    }, this.options.heartbeatMs);
    const started = Date.now();
    try {
      await handler.run(job, { logger, heartbeat: () => delivery.working() });
      await this.jobs.succeed(jobId);
      logger.info({ ms: Date.now() - started }, 'job succeeded');
      this.onOutcome?.(job.kind, 'succeeded', Date.now() - started);
      return { type: 'ack' };
    } catch (err) {
      const reason = reasonOf(err);
      const permanent = isPermanent(err);
      if (!permanent && job.attempts < job.maxAttempts) {
        await this.jobs.retryLater(jobId, reason);
        const delayMs = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (job.attempts - 1));
        logger.warn({ err, delayMs }, 'job failed; will retry');
        this.onOutcome?.(job.kind, 'retried', Date.now() - started);
        return { type: 'retry', delayMs, reason };
      }
      const final = permanent ? reason : `${reason} (gave up after ${job.attempts} attempts)`;
      return await this.giveUp(handler, job, final, logger, started);
    } finally {
      clearInterval(heartbeat);
    }
  };

  /** Fails a job the reconciler found stranded past its budget, with its subject (as a handler failure would). */
  async giveUpStranded(job: JobRecord, reason: string): Promise<void> {
    const logger = this.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    await this.giveUp(this.handlers.get(job.kind)!, job, reason, logger, Date.now());
  }

  private async giveUp(
    handler: JobHandler,
    job: JobRecord,
    reason: string,
    logger: Logger,
    started: number,
  ): Promise<Outcome> {
    await handler.onFailed(job, reason);
    await this.jobs.fail(job.id, reason);
    logger.error({ reason }, 'job failed');
    this.onOutcome?.(job.kind, 'failed', Date.now() - started);
    return { type: 'term', reason };
  }
}
