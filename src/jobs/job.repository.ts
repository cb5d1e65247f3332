import type { Db, JobKind, JobRecord } from '../db/prisma-types';
import { Prisma } from '../generated/prisma/client';
import { topicFor, type JobMessage } from './topics';
import { afterCursor, type Cursor } from '../db/keyset';

export interface JobRepository {
  /** Records a job and, in the same transaction, the outbox message that announces it. */
  enqueue(kind: JobKind, payload: Prisma.InputJsonObject): Promise<JobRecord>;
  /** Like enqueue, unless a job with this dedup key exists already (then returns null, writes nothing). */
  enqueueOnce(kind: JobKind, payload: Prisma.InputJsonObject, dedupKey: string): Promise<JobRecord | null>;
  findById(id: string): Promise<JobRecord | null>;
  findByDedupKey(dedupKey: string): Promise<JobRecord | null>;
  /**
   * PENDING -> PROCESSING, counting the attempt. Returns null when the job is already finished, or
   * when the reconciler republished it under another message (this one is superseded).
   */
  start(id: string, msgId: string): Promise<JobRecord | null>;
  /** Records progress of a running job (its heartbeat), so that the reconciler leaves it alone. */
  touch(id: string): Promise<void>;
  succeed(id: string): Promise<void>;
  /** A transient failure: the job goes back to PENDING with the reason, to be delivered again. */
  retryLater(id: string, reason: string): Promise<void>;
  fail(id: string, reason: string): Promise<void>;
  listFailed(take: number, after?: Cursor): Promise<JobRecord[]>;
  /** FAILED -> PENDING with a fresh attempt budget and a new message; null when not FAILED. */
  requeue(id: string): Promise<JobRecord | null>;
  /**
   * Deletes up to `batch` SUCCEEDED jobs finished before `cutoff`, with their outbox rows. Failed
   * and unfinished jobs stay (admins retry failed ones). Returns the jobs deleted.
   */
  pruneSucceeded(cutoff: Date, batch: number): Promise<number>;
  /**
   * Per kind with unfinished jobs: how many made no progress for `stalledForMs` with no message
   * waiting in the outbox, and whether any job of the kind progressed in that time.
   */
  unfinishedByKind(stalledForMs: number): Promise<UnfinishedJobs[]>;
  /**
   * Claims up to `limit` stalled jobs of a kind (as counted above) for the reconciler: marks them
   * as progressing now, so that no other reconciler takes them, and returns them.
   */
  claimStalled(kind: JobKind, stalledForMs: number, limit: number): Promise<JobRecord[]>;
  /** Republishes an unfinished job under a new message id (call inside a transaction): PENDING, one more re-arm. */
  rearm(id: string): Promise<void>;
}

export interface UnfinishedJobs {
  kind: JobKind;
  unfinished: number;
  stalled: number;
  /** A job of this kind ran (heartbeat) or finished within the bound: its queue is delivering. */
  progressing: boolean;
}

/**
 * The stalled-job condition's second half, shared by the count and the claim (job alias `j`): no
 * outbox row of the job is still waiting to be published, so the relay will not deliver it.
 */
const NO_UNPUBLISHED_MESSAGE = Prisma.sql`NOT EXISTS (
  SELECT 1 FROM outbox_message o WHERE o.payload->>'jobId' = j.id::text AND o.published_at IS NULL)`;

/** The dedup key of a job's message; a retried job gets a new one (its attempt generation). */
export const jobMsgId = (jobId: string, generation = 0) => `job:${jobId}:${generation}`;

const MAX_REASON = 2000;

export class PrismaJobRepository implements JobRepository {
  constructor(
    private readonly db: Db,
    private readonly maxAttempts = 5,
  ) {}

  async enqueue(kind: JobKind, payload: Prisma.InputJsonObject) {
    const job = await this.db.job.create({ data: { kind, payload, maxAttempts: this.maxAttempts } });
    await this.announce(job, 0);
    return job;
  }

  async enqueueOnce(kind: JobKind, payload: Prisma.InputJsonObject, dedupKey: string) {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      INSERT INTO job (kind, payload, dedup_key, max_attempts, updated_at)
      VALUES (${kind}::"JobKind", ${JSON.stringify(payload)}::jsonb, ${dedupKey}, ${this.maxAttempts}, now())
      ON CONFLICT (dedup_key) DO NOTHING
      RETURNING id::text AS id`;
    if (rows.length === 0) return null;
    const job = (await this.findById(rows[0]!.id))!;
    await this.announce(job, 0);
    return job;
  }

  private async announce(job: Pick<JobRecord, 'id' | 'kind'>, generation: number) {
    const message: JobMessage = { jobId: job.id, kind: job.kind };
    await this.db.outboxMessage.create({
      data: { subject: topicFor(job.kind), payload: { ...message }, msgId: jobMsgId(job.id, generation) },
    });
  }

  /**
   * The generation of a job's next message: one per message it ever had, so the new msgId differs
   * from every earlier one (the queue would drop it as a duplicate inside its dedup window).
   * Counted by payload->>'jobId' (indexed); an unfinished job's rows are never pruned.
   */
  private async nextGeneration(id: string): Promise<number> {
    const [{ generation }] = await this.db.$queryRaw<[{ generation: number }]>`
      SELECT count(*)::int AS generation FROM outbox_message WHERE payload->>'jobId' = ${id}`;
    return generation;
  }

  findById(id: string) {
    return this.db.job.findUnique({ where: { id } });
  }

  findByDedupKey(dedupKey: string) {
    return this.db.job.findUnique({ where: { dedupKey } });
  }

  async start(id: string, msgId: string) {
    const { count } = await this.db.job.updateMany({
      where: { id, status: { in: ['PENDING', 'PROCESSING'] }, OR: [{ msgId: null }, { msgId }] },
      data: { status: 'PROCESSING', attempts: { increment: 1 }, startedAt: new Date() },
    });
    return count === 0 ? null : this.findById(id);
  }

  async touch(id: string) {
    await this.db.job.updateMany({ where: { id, status: 'PROCESSING' }, data: { updatedAt: new Date() } });
  }

  // updateMany: a job deleted while it ran (its video was deleted) has no row left to update.
  async succeed(id: string) {
    await this.db.job.updateMany({
      where: { id },
      data: { status: 'SUCCEEDED', lastError: null, finishedAt: new Date() },
    });
  }

  async retryLater(id: string, reason: string) {
    await this.db.job.updateMany({
      where: { id },
      data: { status: 'PENDING', lastError: reason.slice(0, MAX_REASON) },
    });
  }

  async fail(id: string, reason: string) {
    await this.db.job.updateMany({
      where: { id },
      data: { status: 'FAILED', lastError: reason.slice(0, MAX_REASON), finishedAt: new Date() },
    });
  }

  listFailed(take: number, after?: Cursor) {
    return this.db.job.findMany({
      where: {
        status: 'FAILED',
        ...afterCursor(after),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
    });
  }

  async requeue(id: string) {
    const { count } = await this.db.job.updateMany({
      where: { id, status: 'FAILED' },
      data: { status: 'PENDING', attempts: 0, rearms: 0, lastError: null, finishedAt: null },
    });
    if (count === 0) return null;
    const generation = await this.nextGeneration(id);
    await this.db.job.update({ where: { id }, data: { msgId: jobMsgId(id, generation) } });
    const job = (await this.findById(id))!;
    await this.announce(job, generation);
    return job;
  }

  async unfinishedByKind(stalledForMs: number): Promise<UnfinishedJobs[]> {
    return this.db.$queryRaw<UnfinishedJobs[]>`
      WITH bound AS (SELECT now() - ${stalledForMs}::int * interval '1 millisecond' AS cutoff),
      unfinished AS (
        SELECT j.kind, count(*)::int AS unfinished,
          (count(*) FILTER (
            WHERE j.updated_at < (SELECT cutoff FROM bound)
              AND ${NO_UNPUBLISHED_MESSAGE}
          ))::int AS stalled
        FROM job j
        WHERE j.status IN ('PENDING', 'PROCESSING')
        GROUP BY j.kind
      )
      SELECT u.kind::text AS kind, u.unfinished, u.stalled,
        (EXISTS (
          SELECT 1 FROM job p
          WHERE p.kind = u.kind AND p.status = 'PROCESSING' AND p.updated_at >= (SELECT cutoff FROM bound))
        OR EXISTS (
          SELECT 1 FROM job f
          WHERE f.kind = u.kind AND f.status IN ('SUCCEEDED', 'FAILED') AND f.finished_at >= (SELECT cutoff FROM bound))
        ) AS progressing
      FROM unfinished u`;
  }

  async claimStalled(kind: JobKind, stalledForMs: number, limit: number): Promise<JobRecord[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE job SET updated_at = now()
      WHERE id IN (
        SELECT j.id FROM job j
        WHERE j.kind = ${kind}::"JobKind" AND j.status IN ('PENDING', 'PROCESSING')
          AND j.updated_at < now() - ${stalledForMs}::int * interval '1 millisecond'
          AND ${NO_UNPUBLISHED_MESSAGE}
        ORDER BY j.updated_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING id::text AS id`;
    if (rows.length === 0) return [];
    return this.db.job.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { id: 'asc' } });
  }

  async rearm(id: string): Promise<void> {
    const generation = await this.nextGeneration(id);
    const { count } = await this.db.job.updateMany({
      where: { id, status: { in: ['PENDING', 'PROCESSING'] } },
      data: { status: 'PENDING', rearms: { increment: 1 }, msgId: jobMsgId(id, generation) },
    });
    if (count === 0) return; // finished meanwhile
    await this.announce((await this.findById(id))!, generation);
  }

  async pruneSucceeded(cutoff: Date, batch: number): Promise<number> {
    const [{ n }] = await this.db.$queryRaw<[{ n: number }]>`
      WITH old AS (
        SELECT id FROM job WHERE status = 'SUCCEEDED' AND finished_at < ${cutoff} ORDER BY finished_at LIMIT ${batch}
      ), outbox AS (
        -- Runs to completion although nothing reads it (a data-modifying WITH always does).
        DELETE FROM outbox_message o USING old WHERE o.payload->>'jobId' = old.id::text
      ), jobs AS (
        DELETE FROM job j USING old WHERE j.id = old.id RETURNING 1
      )
      SELECT count(*)::int AS n FROM jobs`;
    return n;
  }
}
