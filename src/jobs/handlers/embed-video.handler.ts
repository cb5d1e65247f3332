import type { JobRecord } from '../../db/prisma-types';
import { type StoredVoiceActivity, VAD_DETECTOR } from '../../inference/voice-activity';
import { withLocalFiles } from '../../storage/media-storage';
import type { JobContext, JobHandler } from '../job-handler';
import { failSubject, startEmbedding } from './embedding-subject';
import type { HandlerDeps } from './handler-deps';
import { frameSizeKey, readQueryVideo } from './query-video-inputs';

/**
 * Creator video: frames of the first 32 s (fast 64 / slow 8) and the voice-over's first 32 s
 * (the separate voice-over file, else the video's own audio), looped when shorter (paper §4.2),
 * read concurrently (query-video-inputs.ts) and embedded with the query branch; beside it, the
 * whole voice-over's speech timeline (Silero VAD), stored on the video.
 */
export class EmbedVideoHandler implements JobHandler {
  readonly kind = 'EMBED_VIDEO' as const;

  constructor(private readonly deps: HandlerDeps) {}

  async run(job: JobRecord, ctx: JobContext): Promise<void> {
    const { repos, storage, embedder, models, limits, uow, vad } = this.deps;
    const { id: videoId, row: video, targets } = await startEmbedding(job, 'video', repos.videos, repos.models);

    const folders = await Promise.all(targets.map(async (model) => ({ model, folder: await models.folder(model) })));
    const bounds = {
      maxFileBytes: limits.maxMediaBytes,
      maxDurationSeconds: limits.maxVideoSeconds,
      minDurationSeconds: limits.minMediaSeconds,
    };
    // On an object store the worker reads scratch copies (one per file); they go when decoding is done.
    const { info, voicePatches, voiceSeconds, voicePcm, frames } = await withLocalFiles(
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
    // The speech timeline runs beside the embeddings (both on the inference threads).
    const timeline = voiceTimeline(vad, voicePcm, () => ctx.heartbeat());
    const embeddings: { model: (typeof targets)[number]; embedding: number[] }[] = [];
    let decodedFrames = 0;
    for (const { model, folder } of folders) {
      const clip = frames.get(frameSizeKey(folder.manifest.video))!;
      decodedFrames = clip.decodedFrames;
      embeddings.push({
        model,
        embedding: await embedder.embedQuery(folder, {
          fast: clip.fast,
          slow: clip.slow,
          voice: voicePatches,
          voiceSeconds,
        }),
      });
    }
    const voiceActivity = await timeline;
    if ('error' in voiceActivity) ctx.logger.warn({ videoId, error: voiceActivity.error }, 'no voice-over timeline');

    const stored = await uow.run(async (tx) => {
      // Deleted while it was being embedded (deleteVideo holds the same row lock): nothing to keep.
      if (!(await tx.videos.lockById(videoId))) return false;
      for (const { model, embedding } of embeddings)
        await tx.embeddings.upsertVideoEmbedding(videoId, model.id, embedding);
      await tx.videos.setStatus(videoId, 'READY', {
        error: null,
        durationSec: info.video!.durationSeconds ?? info.durationSeconds ?? undefined,
      });
      await tx.videos.setVoiceActivity(videoId, voiceActivity);
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

/**
 * The voice-over's speech segments, or why there are none: the timeline is extra information on
 * a video whose embedding succeeded, so its failure is recorded on the video, not the job's.
 */
async function voiceTimeline(
  vad: HandlerDeps['vad'],
  pcm: Float32Array,
  onProgress: () => void,
): Promise<StoredVoiceActivity> {
  try {
    return { detector: VAD_DETECTOR, ...(await vad.detect(pcm, onProgress)) };
  } catch (err) {
    return { detector: VAD_DETECTOR, error: `voice activity detection failed: ${(err as Error).message}` };
  }
}
