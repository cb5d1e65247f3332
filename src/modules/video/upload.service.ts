import { requirePrincipal, type Principal } from '../../auth/principal';
import { AppError, badInput, conflict, ErrorCode, forbidden, quotaExceeded } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { AppConfig } from '../../config/config';
import type { UnitOfWork } from '../../db/unit-of-work';
import { extensionFor, UploadKind } from '../../storage/direct-upload-types';
import type { DirectUpload, MediaStorage, StoredMedia } from '../../storage/media-storage';
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
 * The owner of tombstone uploads: files whose deletion the store refused while it was down. Not a
 * user (the authenticator refuses `system:` subjects), so no caller can register or own them.
 */
export const PENDING_DELETION_OWNER = 'system:pending-deletion';

/** removed: the file is gone; kept: someone holds or uses it; deferred: the store is down, the sweep retries. */
export type DiscardOutcome = 'removed' | 'kept' | 'deferred';

/**
 * Removes a stored file when no one holds an upload of it and no video or track uses it; call it
 * inside a transaction that holds the file's media lock. When the store does not answer, the
 * deletion is recorded instead as a tombstone upload old enough for the next unregistered-upload
 * sweep, which retries it (the same checks again) until the store is back: a deletion is never
 * lost, and the database work around it is not rolled back for an outage of the store.
 */
export async function discardIfUnheld(
  repos: {
    uploads: Pick<UploadRepository, 'hasUploader' | 'recordPendingDeletion'>;
    videos: Pick<VideoRepository, 'isMediaReferenced'>;
  },
  storage: Pick<MediaStorage, 'discard' | 'discardFolder'>,
  uri: string,
): Promise<DiscardOutcome> {
  if ((await repos.uploads.hasUploader(uri)) || (await repos.videos.isMediaReferenced(uri))) return 'kept';
  try {
    // A trailing slash names a folder (a deleted video's previews: folderDeletionUri).
    if (uri.endsWith('/')) await storage.discardFolder(uri.slice(0, -1));
    else await storage.discard(uri);
    return 'removed';
  } catch (err) {
    if (!(err instanceof AppError && err.code === ErrorCode.ServiceUnavailable)) throw err;
    await repos.uploads.recordPendingDeletion(PENDING_DELETION_OWNER, uri);
    return 'deferred';
  }
}

/**
 * storage.locate for a reference the caller uploaded. A direct upload the store holds with another
 * size or type than declared was deleted by locate; its upload row goes too, so nothing of it is
 * kept or counted against the quota.
 */
export async function locateUpload(
  storage: Pick<MediaStorage, 'locate' | 'uriOf'>,
  uow: UnitOfWork<{ uploads: Pick<UploadRepository, 'remove'> }>,
  ownerId: string,
  ref: string,
  argument: string,
): Promise<StoredMedia> {
  try {
    return await storage.locate(ref, argument);
  } catch (err) {
    if (err instanceof AppError && err.details?.rejectedUpload === true) {
      await uow.run(({ uploads }) => uploads.remove(ownerId, storage.uriOf(ref, argument)));
    }
    throw err;
  }
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
    private readonly limits: AppConfig['uploads'] & { maxMediaBytes: number },
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
   * createUpload: a presigned PUT straight to the object store for a file of the declared kind,
   * content type and size (the store refuses another size or type; registration checks again).
   * Recorded at once as the caller's unregistered upload, so it counts against the quota and the
   * sweep deletes it if it is never registered, whether or not the client ever PUTs it.
   */
  async createDirect(
    principal: Principal | undefined,
    request: { kind: UploadKind; contentType: string; bytes: number },
  ): Promise<DirectUpload> {
    const owner = requirePrincipal(principal);
    const role = request.kind === UploadKind.TRACK || request.kind === UploadKind.MODEL ? 'admin' : 'app';
    if (!owner.roles.includes(role)) throw forbidden(`${request.kind} uploads require role ${role}`);
    const { maxMediaBytes } = this.limits;
    if (!Number.isSafeInteger(request.bytes) || request.bytes < 1 || request.bytes > maxMediaBytes) {
      throw badInput(`bytes: must be 1 to ${maxMediaBytes}`, { argument: 'bytes', maxBytes: maxMediaBytes });
    }
    const { contentType, extension } = extensionFor(request.kind, request.contentType);
    const upload = await this.storage.presignUpload({ extension, contentType, bytes: request.bytes });
    await this.uow.run(async ({ uploads }) => {
      await uploads.lockOwner(owner.id);
      this.checkQuota(await uploads.unregisteredUsage(owner.id), request.bytes);
      await uploads.record({ mediaUri: upload.mediaUri, ownerId: owner.id, sizeBytes: request.bytes });
    });
    return upload;
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
  async sweepUnregistered(now = new Date()): Promise<{ uploads: number; files: number; deferred: number }> {
    const before = new Date(now.getTime() - this.limits.unregisteredMaxAgeHours * 3_600_000);
    let uploads = 0;
    let files = 0;
    let deferred = 0;
    for (;;) {
      const stale = await this.uow.run(({ uploads: u }) => u.listUnregisteredBefore(before, SWEEP_BATCH));
      for (const ref of stale) {
        const outcome = await this.uow.run(async ({ uploads: u, videos }) => {
          await videos.lockMedia([ref.mediaUri]);
          if (!(await u.removeIfUnregisteredBefore(ref, before))) return undefined;
          return discardIfUnheld({ uploads: u, videos }, this.storage, ref.mediaUri);
        });
        if (outcome === undefined) continue;
        if (outcome === 'deferred') deferred++;
        else uploads += ref.ownerId === PENDING_DELETION_OWNER ? 0 : 1;
        if (outcome === 'removed') files++;
      }
      // A store that is down defers every deletion again: the next sweep tries them, not this one.
      if (stale.length < SWEEP_BATCH || deferred > 0) break;
    }
    if (uploads > 0 || files > 0) this.logger.info({ uploads, files, before }, 'swept unregistered uploads');
    if (deferred > 0) this.logger.warn({ deferred }, 'media store unavailable: deletions left for the next sweep');
    return { uploads, files, deferred };
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
