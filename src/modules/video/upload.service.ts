import { requirePrincipal, type Principal } from '../../auth/principal';
import { conflict, forbidden, quotaExceeded } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { AppConfig } from '../../config/config';
import type { UnitOfWork } from '../../db/unit-of-work';
import type { MediaStorage } from '../../storage/media-storage';
import type { UploadRepository, UploadUsage } from './upload.repository';
import type { VideoRepository } from './video.repository';

/** What recording an upload and removing a stored file read and write in one transaction. */
export interface UploadRepositories {
  uploads: UploadRepository;
  videos: Pick<VideoRepository, 'lockMedia' | 'isMediaReferenced'>;
}

export interface AcceptedUpload {
  mediaUri: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * Removes a stored file when no one holds an upload of it and no video or track uses it; call it
 * inside a transaction that holds the file's media lock. Whether the file was removed.
 */
export async function discardIfUnheld(
  repos: { uploads: Pick<UploadRepository, 'hasUploader'>; videos: Pick<VideoRepository, 'isMediaReferenced'> },
  storage: Pick<MediaStorage, 'discard'>,
  uri: string,
): Promise<boolean> {
  if ((await repos.uploads.hasUploader(uri)) || (await repos.videos.isMediaReferenced(uri))) return false;
  await storage.discard(uri);
  return true;
}

/** How many stale uploads one sweep lists at a time. */
const SWEEP_BATCH = 200;

/**
 * Uploads and who made them: POST /media/uploads stores the file and records its uploader, within
 * a per-user quota on unregistered uploads; a sweep deletes those left unregistered too long.
 */
export class UploadService {
  constructor(
    private readonly uow: UnitOfWork<UploadRepositories>,
    private readonly storage: MediaStorage,
    private readonly limits: AppConfig['uploads'],
    private readonly logger: Logger,
  ) {}

  /** Stores an upload of an app user (a video, a voice-over) or an admin (a catalog track). */
  async accept(
    principal: Principal | undefined,
    body: NodeJS.ReadableStream,
    extension: string,
  ): Promise<AcceptedUpload> {
    const owner = requirePrincipal(principal);
    if (!owner.roles.some((r) => r === 'app' || r === 'admin')) throw forbidden('Requires role app or admin');
    // Already at the quota: refused before a byte is written.
    const usage = await this.uow.run(({ uploads }) => uploads.unregisteredUsage(owner.id));
    this.checkQuota(usage);
    const saved = await this.storage.saveUpload(body, extension);
    try {
      await this.uow.run(async ({ uploads, videos }) => {
        // A deletion or sweep of the same file takes turns with this (see removeUnheld).
        await videos.lockMedia([saved.uri]);
        await uploads.lockOwner(owner.id);
        if (!(await uploads.owns(owner.id, saved.uri)))
          this.checkQuota(await uploads.unregisteredUsage(owner.id), saved.sizeBytes);
        await uploads.record({ mediaUri: saved.uri, ownerId: owner.id, sizeBytes: saved.sizeBytes });
        // Between the write and the lock, a deletion by another holder of the same bytes may have removed it.
        await this.storage.locate(saved.uri, 'upload').catch(() => {
          throw conflict('the upload was removed while it was recorded; upload it again');
        });
      });
    } catch (err) {
      await this.removeUnheld(saved.uri);
      throw err;
    }
    return { mediaUri: saved.uri, sha256: saved.sha256, sizeBytes: saved.sizeBytes };
  }

  /**
   * Records a file already in storage as uploaded by `ownerId` (the demo loader's videos). Not
   * reachable from the API: callers reach files only through their own uploads.
   */
  async recordExisting(ownerId: string, ref: string): Promise<void> {
    const media = await this.storage.locate(ref, 'mediaUri');
    await this.uow.run(({ uploads }) => uploads.record({ mediaUri: media.uri, ownerId, sizeBytes: media.sizeBytes }));
  }

  /**
   * Deletes uploads left unregistered for longer than UPLOAD_UNREGISTERED_MAX_AGE_HOURS: the row,
   * and the file unless someone else holds or uses it. Idempotent across API processes.
   */
  async sweepUnregistered(now = new Date()): Promise<{ uploads: number; files: number }> {
    const before = new Date(now.getTime() - this.limits.unregisteredMaxAgeHours * 3_600_000);
    let uploads = 0;
    let files = 0;
    for (;;) {
      const stale = await this.uow.run(({ uploads: u }) => u.listUnregisteredBefore(before, SWEEP_BATCH));
      for (const ref of stale) {
        const removed = await this.uow.run(async ({ uploads: u, videos }) => {
          await videos.lockMedia([ref.mediaUri]);
          if (!(await u.removeIfUnregisteredBefore(ref, before))) return undefined;
          return discardIfUnheld({ uploads: u, videos }, this.storage, ref.mediaUri);
        });
        if (removed === undefined) continue;
        uploads++;
        if (removed) files++;
      }
      if (stale.length < SWEEP_BATCH) break;
    }
    if (uploads > 0) this.logger.info({ uploads, files, before }, 'swept unregistered uploads');
    return { uploads, files };
  }

  /** Removes the stored file when no one holds an upload of it and no video or track uses it. */
  private async removeUnheld(uri: string): Promise<void> {
    await this.uow.run(async (repos) => {
      await repos.videos.lockMedia([uri]);
      await discardIfUnheld(repos, this.storage, uri);
    });
  }

  /** Refuses an upload that would take the uploader past the quota (sizeBytes unknown yet: past it already). */
  private checkQuota(usage: UploadUsage, sizeBytes?: number): void {
    const { quotaCount, quotaBytes } = this.limits;
    if (usage.count + 1 > quotaCount || usage.bytes + (sizeBytes ?? 1) > quotaBytes) {
      throw quotaExceeded(
        `upload quota reached: at most ${quotaCount} unregistered uploads of ${quotaBytes} bytes in all; ` +
          'register them or wait until unregistered ones expire',
        { unregisteredUploads: usage.count, unregisteredBytes: usage.bytes, quotaCount, quotaBytes },
      );
    }
  }
}
