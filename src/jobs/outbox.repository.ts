import type { Db } from '../db/prisma-types';

export interface OutboxRow {
  id: bigint;
  subject: string;
  payload: unknown;
  msgId: string;
}

export interface OutboxRepository {
  /** Locks up to `limit` unpublished rows (skipping rows other relays hold). Call inside a transaction. */
  claimUnpublished(limit: number): Promise<OutboxRow[]>;
  markPublished(ids: bigint[]): Promise<void>;
  recordFailure(id: bigint, error: string): Promise<void>;
  /** Makes the messages of unfinished jobs publishable again (the embedded queue lost them at restart). */
  republishUnfinishedJobs(): Promise<number>;
  unpublishedCount(): Promise<number>;
}

export class PrismaOutboxRepository implements OutboxRepository {
  constructor(private readonly db: Db) {}

  async claimUnpublished(limit: number): Promise<OutboxRow[]> {
    return this.db.$queryRaw<OutboxRow[]>`
      SELECT id, subject, payload, msg_id AS "msgId"
      FROM outbox_message
      WHERE published_at IS NULL
      ORDER BY id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`;
  }

  async markPublished(ids: bigint[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.outboxMessage.updateMany({ where: { id: { in: ids } }, data: { publishedAt: new Date() } });
  }

  async recordFailure(id: bigint, error: string): Promise<void> {
    await this.db.outboxMessage.update({
      where: { id },
      data: { attempts: { increment: 1 }, lastError: error.slice(0, 1000) },
    });
  }

  async republishUnfinishedJobs(): Promise<number> {
    return this.db.$executeRaw`
      UPDATE outbox_message o SET published_at = NULL
      FROM job j
      WHERE o.payload->>'jobId' = j.id::text
        AND j.status IN ('PENDING', 'PROCESSING')
        AND o.published_at IS NOT NULL`;
  }

  async unpublishedCount(): Promise<number> {
    return this.db.outboxMessage.count({ where: { publishedAt: null } });
  }
}
