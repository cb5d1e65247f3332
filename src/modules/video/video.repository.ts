import type { Db, VideoRecord } from '../../db/prisma-types';

export interface NewVideo {
  ownerId: string;
  mediaUri: string;
  voiceOverUri?: string | null;
  idempotencyKey?: string | null;
}

export interface VideoRepository {
  findById(id: string): Promise<VideoRecord | null>;
  create(video: NewVideo): Promise<VideoRecord>;
  /** Holds, until the transaction ends, a lock on one owner's idempotency key (serialises retries). */
  lockIdempotencyKey(ownerId: string, key: string): Promise<void>;
  findByIdempotencyKey(ownerId: string, key: string): Promise<VideoRecord | null>;
  setStatus(id: string, status: VideoRecord['status'], fields?: { error?: string | null; durationSec?: number }): Promise<void>;
}

export class PrismaVideoRepository implements VideoRepository {
  constructor(private readonly db: Db) {}

  findById(id: string) {
    return this.db.video.findUnique({ where: { id } });
  }

  create(video: NewVideo) {
    return this.db.video.create({ data: video });
  }

  async lockIdempotencyKey(ownerId: string, key: string) {
    await this.db.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`video-idem:${ownerId}:${key}`}, 0))::text`;
  }

  findByIdempotencyKey(ownerId: string, key: string) {
    return this.db.video.findUnique({ where: { ownerId_idempotencyKey: { ownerId, idempotencyKey: key } } });
  }

  async setStatus(id: string, status: VideoRecord['status'], fields: { error?: string | null; durationSec?: number } = {}) {
    await this.db.video.update({ where: { id }, data: { status, ...fields } });
  }
}
