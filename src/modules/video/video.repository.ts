import type { Db, VideoRecord } from '../../db/prisma-types';
import type { Prisma } from '../../generated/prisma/client';
import { afterCursor, type Cursor } from '../../db/keyset';
import type { StoredVoiceActivity } from '../../inference/voice-activity';

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
  setStatus(
    id: string,
    status: VideoRecord['status'],
    fields?: { error?: string | null; durationSec?: number },
  ): Promise<void>;
  /** One owner's videos, newest first, after the cursor (keyset on createdAt, id). */
  listByOwner(
    ownerId: string,
    status: VideoRecord['status'] | undefined,
    take: number,
    after?: Cursor,
  ): Promise<VideoRecord[]>;
  /** The video, its row locked until the transaction ends (a deletion and an embedding never interleave). */
  lockById(id: string): Promise<VideoRecord | null>;
  /** Stores the voice-over timeline (or why there is none) of the embed-video job. */
  setVoiceActivity(id: string, activity: StoredVoiceActivity): Promise<void>;
  /**
   * Deletes the video and everything derived from it: its embeddings and recorded choices (by
   * cascade), its place in experiments with their tasks and votes, and its jobs that are not
   * SUCCEEDED (a queued message of a deleted job is acknowledged without work).
   */
  deleteWithDependents(id: string): Promise<VideoDeletion>;
  /**
   * Holds, until the transaction ends, a lock on each stored file's URI: a registration or an
   * ingestion that is about to refer to a file and a deletion that is about to remove it take
   * turns. Locks are taken in sorted order, so two callers never wait on each other in a cycle.
   */
  lockMedia(uris: readonly string[]): Promise<void>;
  /** Whether any video or track still refers to this stored file. */
  isMediaReferenced(uri: string): Promise<boolean>;
  /** Whether a video of this owner still refers to this stored file. */
  isMediaReferencedByOwner(uri: string, ownerId: string): Promise<boolean>;
}

export interface VideoDeletion {
  experiments: number;
  votes: number;
  jobs: number;
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

  async setStatus(
    id: string,
    status: VideoRecord['status'],
    fields: { error?: string | null; durationSec?: number } = {},
  ) {
    await this.db.video.update({ where: { id }, data: { status, ...fields } });
  }

  async setVoiceActivity(id: string, activity: StoredVoiceActivity) {
    await this.db.video.update({ where: { id }, data: { voiceActivity: activity as Prisma.InputJsonObject } });
  }

  listByOwner(ownerId: string, status: VideoRecord['status'] | undefined, take: number, after?: Cursor) {
    return this.db.video.findMany({
      where: {
        ownerId,
        ...(status ? { status } : {}),
        ...afterCursor(after, 'desc'),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take,
    });
  }

  async lockById(id: string) {
    const rows = await this.db.$queryRaw<
      { id: string }[]
    >`SELECT id::text FROM video WHERE id = ${id}::uuid FOR UPDATE`;
    return rows.length === 0 ? null : this.findById(id);
  }

  async deleteWithDependents(id: string): Promise<VideoDeletion> {
    const votes = await this.db.preferenceVote.count({ where: { task: { videoId: id } } });
    await this.db.preferenceTask.deleteMany({ where: { videoId: id } });
    const { count: experiments } = await this.db.experimentVideo.deleteMany({ where: { videoId: id } });
    // Matches the partial expression index job_unfinished_video_id_idx.
    const jobs = await this.db.$executeRaw`DELETE FROM job WHERE payload->>'videoId' = ${id} AND status <> 'SUCCEEDED'`;
    await this.db.video.delete({ where: { id } });
    return { experiments, votes, jobs };
  }

  async lockMedia(uris: readonly string[]) {
    for (const uri of [...new Set(uris)].sort()) {
      await this.db.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`media:${uri}`}, 0))::text`;
    }
  }

  async isMediaReferenced(uri: string) {
    const [videos, tracks] = await Promise.all([
      this.db.video.count({ where: { OR: [{ mediaUri: uri }, { voiceOverUri: uri }] }, take: 1 }),
      this.db.track.count({ where: { mediaUri: uri }, take: 1 }),
    ]);
    return videos + tracks > 0;
  }

  async isMediaReferencedByOwner(uri: string, ownerId: string) {
    const n = await this.db.video.count({
      where: { ownerId, OR: [{ mediaUri: uri }, { voiceOverUri: uri }] },
      take: 1,
    });
    return n > 0;
  }
}
