import type { Db } from '../../db/prisma-types';

/** One uploader's unregistered uploads: what the quota counts. */
export interface UploadUsage {
  count: number;
  bytes: number;
}

export interface UploadRef {
  mediaUri: string;
  ownerId: string;
}

/**
 * Who uploaded which stored file. A row per (file, uploader): uploads are content-addressed, so
 * two users who upload the same bytes share the file and each hold a row.
 */
export interface UploadRepository {
  /** Holds, until the transaction ends, a lock on one uploader's quota (their uploads take turns). */
  lockOwner(ownerId: string): Promise<void>;
  /** Records an upload; uploading an unregistered file again restarts its age (the sweep's clock). */
  record(upload: UploadRef & { sizeBytes: number }): Promise<void>;
  /** Whether this uploader uploaded this file. */
  owns(ownerId: string, mediaUri: string): Promise<boolean>;
  unregisteredUsage(ownerId: string): Promise<UploadUsage>;
  /** A video or track of the uploader now refers to these files: no longer counted nor swept. */
  markRegistered(ownerId: string, mediaUris: readonly string[]): Promise<void>;
  remove(ownerId: string, mediaUri: string): Promise<void>;
  /**
   * A tombstone for a file whose deletion must be retried: an unregistered upload of `ownerId`
   * dated at the epoch, so the next unregistered-upload sweep takes it whatever its age bound.
   */
  recordPendingDeletion(ownerId: string, mediaUri: string): Promise<void>;
  /** Whether anyone still holds an upload of this file. */
  hasUploader(mediaUri: string): Promise<boolean>;
  /** Unregistered uploads made before `before`, oldest first. */
  listUnregisteredBefore(before: Date, take: number): Promise<UploadRef[]>;
  /** Deletes the row if it is still unregistered and older than `before`; whether it did. */
  removeIfUnregisteredBefore(ref: UploadRef, before: Date): Promise<boolean>;
}

export class PrismaUploadRepository implements UploadRepository {
  constructor(private readonly db: Db) {}

  async lockOwner(ownerId: string) {
    await this.db.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`upload-owner:${ownerId}`}, 0))::text`;
  }

  async record({ mediaUri, ownerId, sizeBytes }: UploadRef & { sizeBytes: number }) {
    await this.db.$executeRaw`
      INSERT INTO upload (media_uri, owner_id, size_bytes) VALUES (${mediaUri}, ${ownerId}, ${sizeBytes})
      ON CONFLICT (media_uri, owner_id) DO UPDATE
        SET created_at = CASE WHEN upload.registered_at IS NULL THEN now() ELSE upload.created_at END`;
  }

  async owns(ownerId: string, mediaUri: string) {
    return (await this.db.upload.count({ where: { ownerId, mediaUri }, take: 1 })) > 0;
  }

  async unregisteredUsage(ownerId: string): Promise<UploadUsage> {
    const r = await this.db.upload.aggregate({
      where: { ownerId, registeredAt: null },
      _count: { _all: true },
      _sum: { sizeBytes: true },
    });
    return { count: r._count._all, bytes: Number(r._sum.sizeBytes ?? 0) };
  }

  async markRegistered(ownerId: string, mediaUris: readonly string[]) {
    await this.db.upload.updateMany({
      where: { ownerId, mediaUri: { in: [...mediaUris] }, registeredAt: null },
      data: { registeredAt: new Date() },
    });
  }

  async remove(ownerId: string, mediaUri: string) {
    await this.db.upload.deleteMany({ where: { ownerId, mediaUri } });
  }

  async recordPendingDeletion(ownerId: string, mediaUri: string) {
    await this.db.$executeRaw`
      INSERT INTO upload (media_uri, owner_id, size_bytes, created_at) VALUES (${mediaUri}, ${ownerId}, 0, to_timestamp(0))
      ON CONFLICT (media_uri, owner_id) DO UPDATE SET created_at = to_timestamp(0), registered_at = NULL`;
  }

  async hasUploader(mediaUri: string) {
    return (await this.db.upload.count({ where: { mediaUri }, take: 1 })) > 0;
  }

  listUnregisteredBefore(before: Date, take: number) {
    return this.db.upload.findMany({
      where: { registeredAt: null, createdAt: { lt: before } },
      select: { mediaUri: true, ownerId: true },
      orderBy: { createdAt: 'asc' },
      take,
    });
  }

  async removeIfUnregisteredBefore({ mediaUri, ownerId }: UploadRef, before: Date) {
    const { count } = await this.db.upload.deleteMany({
      where: { mediaUri, ownerId, registeredAt: null, createdAt: { lt: before } },
    });
    return count > 0;
  }
}
