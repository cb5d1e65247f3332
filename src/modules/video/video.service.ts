import { isAdmin, requirePrincipal, requireRole, type Principal } from '../../auth/principal';
import { notFound } from '../../common/errors';
import type { Repositories, UnitOfWork } from '../../db/repositories';
import type { JobRecord, VideoRecord } from '../../db/prisma-types';
import type { MediaStorage } from '../../storage/media-storage';

export interface RegisterVideoInput {
  mediaUri: string;
  /** Omitted: the voice-over is the video's own audio track. */
  voiceOverUri?: string | null;
}

export class VideoService {
  constructor(
    private readonly repos: Pick<Repositories, 'videos'>,
    private readonly uow: UnitOfWork,
    private readonly storage: MediaStorage,
    private readonly onEnqueued: () => void,
  ) {}

  async registerVideo(principal: Principal | undefined, input: RegisterVideoInput): Promise<{ video: VideoRecord; job: JobRecord }> {
    const owner = requireRole(principal, 'app');
    const media = await this.storage.locate(input.mediaUri, 'mediaUri');
    const voice = input.voiceOverUri ? await this.storage.locate(input.voiceOverUri, 'voiceOverUri') : undefined;
    const created = await this.uow.run(async ({ videos, jobs }) => {
      const video = await videos.create({ ownerId: owner.id, mediaUri: media.uri, voiceOverUri: voice?.uri ?? null });
      const job = await jobs.enqueue('EMBED_VIDEO', { videoId: video.id });
      return { video, job };
    });
    this.onEnqueued();
    return created;
  }

  /** Queues embedding a READY video under a version it has no embedding for yet (at most one such job). */
  async requestEmbedding(videoId: string, modelVersionId: string): Promise<void> {
    const job = await this.uow.run(({ jobs }) =>
      jobs.enqueueOnce('EMBED_VIDEO', { videoId, modelVersionId }, `embed-video:${videoId}:${modelVersionId}`),
    );
    if (job) this.onEnqueued();
  }

  /** A video is visible to its owner and to admins; to anyone else it does not exist. */
  async getVideo(principal: Principal | undefined, id: string): Promise<VideoRecord> {
    const caller = requirePrincipal(principal);
    const video = await this.repos.videos.findById(id);
    if (!video || (video.ownerId !== caller.id && !isAdmin(caller))) throw notFound('Video', id);
    return video;
  }
}
