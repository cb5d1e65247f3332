import fs from 'node:fs';
import path from 'node:path';
import type { JobRecord, PreviewRenderRecord, TrackRecord, VideoRecord } from '../../db/prisma-types';
import { duckingPlanFor } from '../../features/soundtrack/ducking-plan';
import type { StoredVoiceActivity } from '../../inference/voice-activity';
import { renderMix } from '../../media/preview/render-mix';
import { type MediaStorage, withLocalFiles } from '../../storage/media-storage';
import { renderObjectUri } from '../../storage/object-key';
import { type JobContext, type JobHandler, payloadString, PermanentJobError } from '../job-handler';
import type { MediaLimits } from './handler-deps';

/** What the render job needs of the render rows (modules/preview-render's repository satisfies it). */
export interface RenderRows {
  start(id: string): Promise<PreviewRenderRecord | null>;
  markReady(id: string, mediaUri: string, measuredLufs: number): Promise<boolean>;
  markFailed(id: string, reason: string): Promise<void>;
  /** Deletes up to `batch` renders expired before `now` (the render sweep); returns their files. */
  deleteExpired(now: Date, batch: number): Promise<{ id: string; mediaUri: string | null }[]>;
}

export interface RenderPreviewDeps {
  repos: {
    renders: RenderRows;
    videos: { findById(id: string): Promise<VideoRecord | null> };
    tracks: { findById(id: string): Promise<TrackRecord | null> };
  };
  storage: Pick<MediaStorage, 'withLocalFile' | 'putFile' | 'discard'>;
  limits: MediaLimits;
  /** Where the render is written before it is stored. */
  scratchDir: string;
  /** Level of the music against the voice-over in the gaps (ducked further under speech). */
  musicGainDb: number;
  timeoutMs: number;
}

/**
 * renderPreview's job: the video's frames with its voice-over over the requested cut of the track,
 * faded out at the cut's end, ducked under the voice-over's speech (features/soundtrack's plan),
 * normalised to the render's target loudness, stored as media and recorded READY with the
 * loudness measured on the file. Unreadable or silent media fail the render with the media
 * error's reason.
 */
export class RenderPreviewHandler implements JobHandler {
  readonly kind = 'RENDER_PREVIEW' as const;

  constructor(private readonly deps: RenderPreviewDeps) {}

  async run(job: JobRecord, ctx: JobContext): Promise<void> {
    const { repos, storage, limits } = this.deps;
    const render = await repos.renders.start(payloadString(job, 'renderId'));
    if (!render) return void ctx.logger.info({ jobId: job.id }, 'render gone or finished; nothing to do');
    const [video, track] = await Promise.all([
      repos.videos.findById(render.videoId),
      repos.tracks.findById(render.trackId),
    ]);
    if (!video || !track) throw new PermanentJobError('the video or the track was deleted');
    const voice = video.voiceActivity as StoredVoiceActivity | null;
    const videoSec = video.durationSec ?? render.cutEndSec - render.cutStartSec;
    // Without a voice-over timeline the music plays flat (at its gap level).
    const ducking = duckingPlanFor(voice, videoSec);

    await fs.promises.mkdir(this.deps.scratchDir, { recursive: true });
    const out = path.join(this.deps.scratchDir, `${render.id}.mp4`);
    try {
      const result = await withLocalFiles(
        storage,
        [video.mediaUri, track.mediaUri, video.voiceOverUri],
        ([videoFile, trackFile, voiceFile]) =>
          renderMix({ video: videoFile, voiceOver: voiceFile ?? null, track: trackFile }, out, {
            music: {
              startSec: render.cutStartSec,
              endSec: render.cutEndSec,
              fadeOutSec: render.fadeOutSec,
              gainDb: this.deps.musicGainDb,
              duckingFilter: ducking?.ffmpegFilter,
            },
            maxSeconds: limits.maxVideoSeconds,
            targetLufs: render.targetLufs,
            timeoutMs: this.deps.timeoutMs,
            limits: { maxFileBytes: limits.maxMediaBytes, maxDurationSeconds: limits.maxTrackSeconds },
            onProgress: () => ctx.heartbeat(),
          }),
      );
      const uri = renderObjectUri(video.id, render.id);
      await storage.putFile(out, uri);
      // Swept or deleted with its video while it rendered: the file must not outlive the row.
      if (!(await repos.renders.markReady(render.id, uri, result.measuredLufs))) await storage.discard(uri);
      ctx.logger.info({ renderId: render.id, measuredLufs: result.measuredLufs }, 'preview rendered');
    } finally {
      await fs.promises.rm(out, { force: true });
    }
  }

  onFailed(job: JobRecord, reason: string): Promise<void> {
    return this.deps.repos.renders.markFailed(payloadString(job, 'renderId'), reason);
  }
}
