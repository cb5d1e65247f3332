import { isAdmin, requirePrincipal, requireRole, type Principal } from '../../auth/principal';
import { badInput, conflict, forbidden } from '../../common/errors';
import type { JobRecord, VideoRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import type { JobRepository } from '../../jobs/job.repository';
import type { MediaStorage } from '../../storage/media-storage';
import { folderDeletionUri, previewFolderUri } from '../../storage/object-key';
import type { UploadRepository } from './upload.repository';
import { discardIfUnheld, locateUpload } from './upload.service';
import type { VideoRepository } from './video.repository';
import { requireVisibleVideo } from './video-visibility';
import { checkPageSize, keysetPage, type Page } from '../../graphql/page';

export interface RegisterVideoInput {
  mediaUri: string;
  /** Omitted: the voice-over is the video's own audio track. */
  voiceOverUri?: string | null;
  /** A retry with the same key (per owner) and input returns the first registration. */
  idempotencyKey?: string | null;
}

export interface DeletedVideo {
  videoId: string;
  removedFromExperiments: number;
  deletedVotes: number;
  cancelledJobs: number;
  deletedFiles: number;
}

/** What registration and deletion write in one transaction. */
export interface VideoRepositories {
  videos: VideoRepository;
  uploads: Pick<UploadRepository, 'owns' | 'markRegistered' | 'remove' | 'hasUploader' | 'recordPendingDeletion'>;
  jobs: Pick<JobRepository, 'findByDedupKey' | 'enqueueOnce'>;
}

export class VideoService {
  constructor(
    private readonly repos: { videos: VideoRepository },
    private readonly uow: UnitOfWork<VideoRepositories>,
    private readonly storage: MediaStorage,
    private readonly onEnqueued: () => void,
    private readonly maxPageSize: number,
    /** Told the id of every deleted video, after its rows and files are gone (the rater preview cache). */
  ) {}

  async registerVideo(
    principal: Principal | undefined,
    input: RegisterVideoInput,
  ): Promise<{ video: VideoRecord; job: JobRecord }> {
    const owner = requireRole(principal, 'app');
    // Only media the caller uploaded: checked before the file is looked at, so that "not yours"
    // and "does not exist" answer the same and tell nothing about other users' files.
    const refs: [string, string][] = [['mediaUri', this.storage.uriOf(input.mediaUri, 'mediaUri')]];
    if (input.voiceOverUri) refs.push(['voiceOverUri', this.storage.uriOf(input.voiceOverUri, 'voiceOverUri')]);
    await this.uow.run(({ uploads }) => requireOwnUploads(uploads, owner.id, refs, input));
    const media = await locateUpload(this.storage, this.uow, owner.id, refs[0]![1], 'mediaUri');
    const voice = refs[1]
      ? await locateUpload(this.storage, this.uow, owner.id, refs[1][1], 'voiceOverUri')
      : undefined;
    const key = input.idempotencyKey ?? null;
    const voiceOverUri = voice?.uri ?? null;
    const result = await this.uow.run(async ({ videos, jobs, uploads }) => {
      // A deletion of another video that used the same file must not remove it under this one.
      await videos.lockMedia(voiceOverUri ? [media.uri, voiceOverUri] : [media.uri]);
      await requireOwnUploads(uploads, owner.id, refs, input);
      await this.storage.locate(media.uri, 'mediaUri');
      if (voiceOverUri) await this.storage.locate(voiceOverUri, 'voiceOverUri');
      if (key) {
        await videos.lockIdempotencyKey(owner.id, key);
        const earlier = await videos.findByIdempotencyKey(owner.id, key);
        if (earlier) {
          if (earlier.mediaUri !== media.uri || earlier.voiceOverUri !== voiceOverUri) {
            throw conflict('idempotencyKey was already used for another registration', { videoId: earlier.id });
          }
          const job = await jobs.findByDedupKey(registrationJobKey(earlier.id));
          // Finished jobs are pruned after JOB_RETENTION_DAYS: a key replayed that late is refused.
          if (!job)
            throw conflict('idempotencyKey belongs to a registration too old to replay', { videoId: earlier.id });
          return { video: earlier, job, created: false };
        }
      }
      const video = await videos.create({ ownerId: owner.id, mediaUri: media.uri, voiceOverUri, idempotencyKey: key });
      // No longer counted against the upload quota, nor swept.
      await uploads.markRegistered(owner.id, voiceOverUri ? [media.uri, voiceOverUri] : [media.uri]);
      const job = (await jobs.enqueueOnce('EMBED_VIDEO', { videoId: video.id }, registrationJobKey(video.id)))!;
      return { video, job, created: true };
    });
    if (result.created) this.onEnqueued();
    return { video: result.video, job: result.job };
  }

  /** Queues embedding a READY video under a version it has no embedding for yet (at most one such job). */
  async requestEmbedding(videoId: string, modelVersionId: string): Promise<void> {
    const job = await this.uow.run(({ jobs }) =>
      jobs.enqueueOnce('EMBED_VIDEO', { videoId, modelVersionId }, `embed-video:${videoId}:${modelVersionId}`),
    );
    if (job) this.onEnqueued();
  }

  /**
   * Deletes a video for its owner (or an admin): the row, its embeddings, recorded choices, place
   * in experiments with their tasks and votes, unfinished jobs, and then the media files its owner
   * uploaded unless another upload, video or track holds the same file. A voice-over is personal data: nothing derived
   * from it is kept, rendered previews (previews/<videoId>/) included.
   */
  async deleteVideo(principal: Principal | undefined, id: string): Promise<DeletedVideo> {
    const caller = requirePrincipal(principal);
    const { video, removed } = await this.uow.run(async ({ videos }) => {
      const found = requireVisibleVideo(caller, await videos.lockById(id), id);
      return { video: found, removed: await videos.deleteWithDependents(id) };
    });
    let deletedFiles = 0;
    for (const uri of new Set([video.mediaUri, video.voiceOverUri])) {
      if (!uri) continue;
      const removedFile = await this.uow.run(async ({ videos, uploads }) => {
        await videos.lockMedia([uri]);
        // Only a file the owner uploaded is theirs to remove (never a catalog or another user's
        // file), and only once no other video of theirs uses it.
        if (!(await uploads.owns(video.ownerId, uri))) return false;
        if (await videos.isMediaReferencedByOwner(uri, video.ownerId)) return false;
        await uploads.remove(video.ownerId, uri);
        // Others who uploaded the same bytes, or a video or track using them, keep the file.
        // A store outage defers the file's deletion to the upload sweep (counted as deleted: it will go).
        return (await discardIfUnheld({ uploads, videos }, this.storage, uri)) !== 'kept';
      });
      if (removedFile) deletedFiles++;
    }
    // Rendered previews in the object store carry the voice-over: they go too, or, while the
    // store is down, their deletion waits in a tombstone for the upload sweep like a file's.
    await this.uow.run((repos) => discardIfUnheld(repos, this.storage, folderDeletionUri(previewFolderUri(id))));
    return {
      videoId: id,
      removedFromExperiments: removed.experiments,
      deletedVotes: removed.votes,
      cancelledJobs: removed.jobs,
      deletedFiles,
    };
  }

  /** The caller's videos, newest first; an admin may name another owner. */
  async listVideos(
    principal: Principal | undefined,
    filter: { ownerId?: string | null; status?: VideoRecord['status'] | null },
    first: number,
    after?: string | null,
  ): Promise<Page<VideoRecord>> {
    const caller = requirePrincipal(principal);
    const ownerId = filter.ownerId ?? caller.id;
    if (ownerId !== caller.id && !isAdmin(caller)) throw forbidden('Only admins list the videos of another owner');
    checkPageSize(first, this.maxPageSize);
    return keysetPage(first, after, (take, cursor) =>
      this.repos.videos.listByOwner(ownerId, filter.status ?? undefined, take, cursor),
    );
  }

  /** A video is visible to its owner and to admins; to anyone else it does not exist. */
  async getVideo(principal: Principal | undefined, id: string): Promise<VideoRecord> {
    const caller = requirePrincipal(principal);
    return requireVisibleVideo(caller, await this.repos.videos.findById(id), id);
  }
}

/** Refuses references to files the owner did not upload, the same way as to files that do not exist. */
async function requireOwnUploads(
  uploads: Pick<UploadRepository, 'owns'>,
  ownerId: string,
  refs: [argument: string, uri: string][],
  input: RegisterVideoInput,
): Promise<void> {
  for (const [argument, uri] of refs) {
    if (!(await uploads.owns(ownerId, uri))) {
      const given = argument === 'mediaUri' ? input.mediaUri : input.voiceOverUri;
      throw badInput(`${argument}: no upload of yours at ${given}`, { argument });
    }
  }
}

/** The dedup key of a video's first embedding job: how a replayed registration finds it. */
const registrationJobKey = (videoId: string) => `register-video:${videoId}`;
