import type { JobRecord, ModelVersionRecord } from '../../db/prisma-types';
import { CLIP_SECONDS, clipPatches } from '../../features/clip';
import { decodeAudio } from '../../media/decode-audio';
import { decodeClipFrames } from '../../media/decode-frames';
import { MediaError, MediaErrorCode } from '../../media/media-error';
import { probeMedia } from '../../media/probe';
import type { JobContext, JobHandler } from '../job-handler';
import { failSubject, startEmbedding } from './embedding-subject';
import type { HandlerDeps } from './handler-deps';

const frameSize = ({ width, height }: { width: number; height: number }) => `${width}x${height}`;

/**
 * Creator video: frames of the first 32 s (fast 64 / slow 8) and the voice-over's first 32 s
 * (the separate voice-over file, else the video's own audio), looped when shorter (paper §4.2),
 * embedded with the query branch.
 */
export class EmbedVideoHandler implements JobHandler {
  readonly kind = 'EMBED_VIDEO' as const;

  constructor(private readonly deps: HandlerDeps) {}

  async run(job: JobRecord, ctx: JobContext): Promise<void> {
    const { repos, storage, embedder, models, uow } = this.deps;
    const { id: videoId, row: video, targets } = await startEmbedding(job, 'video', repos.videos, repos.models);

    // On an object store the worker reads scratch copies (one per file); they go when decoding is done.
    const decoded = await storage.withLocalFile(video.mediaUri, (videoFile) =>
      video.voiceOverUri
        ? storage.withLocalFile(video.voiceOverUri, (voiceFile) => this.decode(videoFile, voiceFile, targets, ctx))
        : this.decode(videoFile, undefined, targets, ctx),
    );
    const { info, voicePatches, framesBySize } = decoded;
    const embeddings: { model: (typeof targets)[number]; embedding: number[] }[] = [];
    let decodedFrames = 0;
    for (const model of targets) {
      const folder = models.folder(model);
      const frames = framesBySize.get(frameSize(folder.manifest.video))!;
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

  /** Probes both files, decodes the voice-over clip and the frames at every size the target versions need. */
  private async decode(
    videoFile: string,
    voiceOverFile: string | undefined,
    targets: readonly ModelVersionRecord[],
    ctx: JobContext,
  ) {
    const { models, limits } = this.deps;
    const bounds = {
      maxFileBytes: limits.maxMediaBytes,
      maxDurationSeconds: limits.maxVideoSeconds,
      minDurationSeconds: limits.minMediaSeconds,
    };
    const info = await probeMedia(videoFile, { ...bounds, requireVideo: true });
    const voiceFile = voiceOverFile ?? videoFile;
    const voiceInfo = voiceOverFile ? await probeMedia(voiceFile, { ...bounds, requireAudio: true }) : info;
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
    // During a roll-out both versions usually share a frame size: decode once per size.
    const framesBySize = new Map<string, Awaited<ReturnType<typeof decodeClipFrames>>>();
    for (const model of targets) {
      const { height, width } = models.folder(model).manifest.video;
      if (framesBySize.has(frameSize({ width, height }))) continue;
      ctx.heartbeat();
      framesBySize.set(
        frameSize({ width, height }),
        await decodeClipFrames(videoFile, {
          format: info.formatName,
          width,
          height,
          streamIndex: info.video!.index,
          declaredDurationSeconds: info.video!.durationSeconds,
        }),
      );
    }
    return { info, voicePatches: clipPatches(voice.pcm), framesBySize };
  }

  onFailed(job: JobRecord, reason: string): Promise<void> {
    return failSubject(job, 'video', this.deps.repos.videos, reason);
  }
}
