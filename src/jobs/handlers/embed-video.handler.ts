import type { JobRecord } from '../../db/prisma-types';
import { CLIP_SECONDS, clipPatches } from '../../features/clip';
import { decodeAudio } from '../../media/decode-audio';
import { decodeClipFrames } from '../../media/decode-frames';
import { MediaError, MediaErrorCode } from '../../media/media-error';
import { probeMedia } from '../../media/probe';
import type { JobContext, JobHandler } from '../job-handler';
import { failSubject, startEmbedding } from './embedding-subject';
import type { HandlerDeps } from './handler-deps';

/**
 * Creator video: frames of the first 32 s (fast 64 / slow 8) and the voice-over's first 32 s
 * (the separate voice-over file, else the video's own audio), looped when shorter (paper §4.2),
 * embedded with the query branch.
 */
export class EmbedVideoHandler implements JobHandler {
  readonly kind = 'EMBED_VIDEO' as const;

  constructor(private readonly deps: HandlerDeps) {}

  async run(job: JobRecord, ctx: JobContext): Promise<void> {
    const { repos, storage, embedder, models, limits, uow } = this.deps;
    const { id: videoId, row: video, targets } = await startEmbedding(job, 'video', repos.videos, repos.models);

    const bounds = {
      maxFileBytes: limits.maxMediaBytes,
      maxDurationSeconds: limits.maxVideoSeconds,
      minDurationSeconds: limits.minMediaSeconds,
    };
    const videoFile = storage.pathOf(video.mediaUri);
    const info = await probeMedia(videoFile, { ...bounds, requireVideo: true });
    const voiceFile = video.voiceOverUri ? storage.pathOf(video.voiceOverUri) : videoFile;
    const voiceInfo = video.voiceOverUri ? await probeMedia(voiceFile, { ...bounds, requireAudio: true }) : info;
    if (!voiceInfo.audio) {
      throw new MediaError(MediaErrorCode.NoAudio, 'the video has no audio track and no separate voice-over was given');
    }
    ctx.heartbeat();
    const voice = await decodeAudio(voiceFile, {
      format: voiceInfo.formatName,
      streamIndex: voiceInfo.audio.index,
      maxDurationSeconds: CLIP_SECONDS,
      declaredDurationSeconds: voiceInfo.audio.durationSeconds,
    });
    const voicePatches = clipPatches(voice.pcm);
    const embeddings: { model: (typeof targets)[number]; embedding: number[] }[] = [];
    // During a roll-out both versions usually share a frame size: decode once per size.
    const framesBySize = new Map<string, Awaited<ReturnType<typeof decodeClipFrames>>>();
    let decodedFrames = 0;
    for (const model of targets) {
      const folder = models.folder(model);
      const { height, width } = folder.manifest.video;
      let frames = framesBySize.get(`${width}x${height}`);
      if (!frames) {
        ctx.heartbeat();
        frames = await decodeClipFrames(videoFile, {
          format: info.formatName,
          width,
          height,
          streamIndex: info.video!.index,
          declaredDurationSeconds: info.video!.durationSeconds,
        });
        framesBySize.set(`${width}x${height}`, frames);
      }
      decodedFrames = frames.decodedFrames;
      embeddings.push({
        model,
        embedding: await embedder.embedQuery(folder, { fast: frames.fast, slow: frames.slow, voice: voicePatches }),
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
