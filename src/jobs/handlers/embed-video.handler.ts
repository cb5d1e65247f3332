import type { JobRecord } from '../../db/prisma-types';
import { withLocalFiles } from '../../storage/media-storage';
import type { JobContext, JobHandler } from '../job-handler';
import { failSubject, startEmbedding } from './embedding-subject';
import type { HandlerDeps } from './handler-deps';
import { frameSizeKey, readQueryVideo } from './query-video-inputs';

/**
 * Creator video: frames of the first 32 s (fast 64 / slow 8) and the voice-over's first 32 s
 * (the separate voice-over file, else the video's own audio), looped when shorter (paper §4.2),
 * read concurrently (query-video-inputs.ts) and embedded with the query branch.
 */
export class EmbedVideoHandler implements JobHandler {
  readonly kind = 'EMBED_VIDEO' as const;

  constructor(private readonly deps: HandlerDeps) {}

  async run(job: JobRecord, ctx: JobContext): Promise<void> {
    const { repos, storage, embedder, models, limits, uow } = this.deps;
    const { id: videoId, row: video, targets } = await startEmbedding(job, 'video', repos.videos, repos.models);

    const folders = await Promise.all(targets.map(async (model) => ({ model, folder: await models.folder(model) })));
    const bounds = {
      maxFileBytes: limits.maxMediaBytes,
      maxDurationSeconds: limits.maxVideoSeconds,
      minDurationSeconds: limits.minMediaSeconds,
    };
    // On an object store the worker reads scratch copies (one per file); they go when decoding is done.
    const { info, voicePatches, frames } = await withLocalFiles(
      storage,
      [video.mediaUri, video.voiceOverUri],
      ([videoFile, voiceFile]) =>
        readQueryVideo(
          videoFile,
          voiceFile,
          folders.map(({ folder }) => folder.manifest.video),
          { bounds, onProgress: () => ctx.heartbeat() },
        ),
    );
    const embeddings: { model: (typeof targets)[number]; embedding: number[] }[] = [];
    let decodedFrames = 0;
    for (const { model, folder } of folders) {
      const clip = frames.get(frameSizeKey(folder.manifest.video))!;
      decodedFrames = clip.decodedFrames;
      embeddings.push({
        model,
        embedding: await embedder.embedQuery(folder, { fast: clip.fast, slow: clip.slow, voice: voicePatches }),
      });
    }

    const stored = await uow.run(async (tx) => {
      // Deleted while it was being embedded (deleteVideo holds the same row lock): nothing to keep.
      if (!(await tx.videos.lockById(videoId))) return false;
      for (const { model, embedding } of embeddings)
        await tx.embeddings.upsertVideoEmbedding(videoId, model.id, embedding);
      await tx.videos.setStatus(videoId, 'READY', {
        error: null,
        durationSec: info.video!.durationSeconds ?? info.durationSeconds ?? undefined,
      });
      return true;
    });
    if (!stored) {
      ctx.logger.info({ videoId }, 'video deleted while it was embedded; nothing stored');
      return;
    }
    ctx.logger.info({ videoId, decodedFrames, models: targets.length }, 'video embedded');
  }

  onFailed(job: JobRecord, reason: string): Promise<void> {
    return failSubject(job, 'video', this.deps.repos.videos, reason);
  }
}
