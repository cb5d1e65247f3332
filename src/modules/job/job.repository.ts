import type { Db, JobKind, JobRecord } from '../../db/prisma-types';
import type { Prisma } from '../../generated/prisma/client';
import { topicFor, type JobMessage } from '../../queue/topics';

export interface JobRepository {
  /** Records a job and, in the same transaction, the outbox message that announces it. */
  enqueue(kind: JobKind, payload: Prisma.InputJsonObject): Promise<JobRecord>;
  findById(id: string): Promise<JobRecord | null>;
}

/** The dedup key of a job's message: the same job is never queued twice within the window. */
export const jobMsgId = (jobId: string, attempt = 0) => `job:${jobId}:${attempt}`;

export class PrismaJobRepository implements JobRepository {
  constructor(private readonly db: Db) {}

  async enqueue(kind: JobKind, payload: Prisma.InputJsonObject) {
    const job = await this.db.job.create({ data: { kind, payload } });
    const message: JobMessage = { jobId: job.id, kind };
    await this.db.outboxMessage.create({
      data: { subject: topicFor(kind), payload: { ...message }, msgId: jobMsgId(job.id) },
    });
    return job;
  }

  findById(id: string) {
    return this.db.job.findUnique({ where: { id } });
  }
}
