import type { Logger } from '../common/logger';
import type { UnitOfWork } from '../db/unit-of-work';
import type { OutboxRepository } from './outbox.repository';
import type { JobQueue } from './queue/job-queue';

const BATCH = 100;
/** Longest wait between two polls while publishing keeps failing (database or queue down). */
const MAX_BACKOFF_MS = 5000;

/**
 * Publishes outbox rows to the queue and marks them published. Rows are locked while published
 * (FOR UPDATE SKIP LOCKED), so several relays never publish the same row at once; a crash between
 * publish and commit publishes again with the same msgId, which the queue drops as a duplicate.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private again = false;
  /** Failed rounds in a row: the next poll waits longer (an outage must not flood the log). */
  private failures = 0;

  constructor(
    private readonly uow: UnitOfWork<{ outbox: OutboxRepository }>,
    private readonly queue: JobQueue,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Publishes now rather than at the next poll (called after a transaction wrote outbox rows). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain()
      .then(() => void (this.failures = 0))
      .catch((err: unknown) => {
        this.failures += 1;
        this.logger.error({ err, failures: this.failures }, 'outbox relay failed; will retry');
      })
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          const delay = this.failures === 0 ? this.pollMs : Math.min(MAX_BACKOFF_MS, this.pollMs * 2 ** this.failures);
          this.timer = setTimeout(() => this.kick(), delay);
          this.timer.unref();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Waits for a publish round in progress, then publishes whatever is left. */
  async flush(): Promise<number> {
    await this.running;
    return this.drain();
  }

  /** Publishes until the outbox is empty; returns how many messages went out. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.publishBatch();
      total += n;
      if (n < BATCH) return total;
    }
  }

  private publishBatch(): Promise<number> {
    return this.uow.run(async ({ outbox }) => {
      const rows = await outbox.claimUnpublished(BATCH);
      const published: bigint[] = [];
      for (const row of rows) {
        try {
          await this.queue.publish(row.subject, row.payload, row.msgId);
          published.push(row.id);
        } catch (err) {
          this.logger.warn({ err, msgId: row.msgId }, 'outbox publish failed');
          await outbox.recordFailure(row.id, (err as Error).message);
          break; // the queue is likely down; keep order and retry at the next poll
        }
      }
      await outbox.markPublished(published);
      return published.length === rows.length ? rows.length : 0;
    });
  }
}
