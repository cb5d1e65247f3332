import type { Db, VideoRecord } from '../../db/prisma-types';

export interface NewVideo {
  ownerId: string;
  mediaUri: string;
  voiceOverUri?: string | null;
}

export interface VideoRepository {
  findById(id: string): Promise<VideoRecord | null>;
  create(video: NewVideo): Promise<VideoRecord>;
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

  async setStatus(id: string, status: VideoRecord['status'], fields: { error?: string | null; durationSec?: number } = {}) {
    await this.db.video.update({ where: { id }, data: { status, ...fields } });
  }
}
