import { type Principal, requirePrincipal } from '../../auth/principal';
import { badInput, failedPrecondition, notFound } from '../../common/errors';
import type { PreviewRenderRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import { musicCut } from '../../features/soundtrack/music-cut';
import type { JobRepository } from '../../jobs/job.repository';
import type { TrackAnalysisRepository } from '../track/track-analysis.repository';
import { requireVisibleVideo } from '../video/video-visibility';
import type { VideoRepository } from '../video/video.repository';
import type { PreviewRenderRepository } from './preview-render.repository';
import type { RenderLinks } from './render-links';
import type { PreviewRender } from './preview-render.type';

export interface PreviewRenderOptions {
  targetLufs: number;
  /** A render (row and file) is kept this long after it was asked for; asked again later, it renders again. */
  ttlHours: number;
  /** A signed URL is valid this long (and never past the render's expiry). */
  linkTtlSec: number;
}

export interface PreviewRenderRepositories {
  renders: PreviewRenderRepository;
  videos: Pick<VideoRepository, 'findById'>;
  analyses: Pick<TrackAnalysisRepository, 'findRhythms'>;
}

/** The shortest cut worth a preview. */
const MIN_CUT_SEC = 1;
/** Fade-out of a caller's own cut (the suggestion's cut fades over its last bar, at most 2 s). */
const CALLER_CUT_FADE_SEC = 1;
const ms = (x: number) => Math.round(x * 1000) / 1000;

/**
 * renderPreview and previewRender: checks the request (the caller's video, a READY licensed
 * track, a cut inside the track), records the render and queues its RENDER_PREVIEW job in one
 * transaction, or answers the render already made for the same inputs. The API never runs ffmpeg
 * for it: the job does (jobs/handlers/render-preview.handler.ts).
 */
export class PreviewRenderService {
  constructor(
    private readonly repos: PreviewRenderRepositories,
    private readonly uow: UnitOfWork<{ renders: PreviewRenderRepository; jobs: JobRepository }>,
    private readonly links: RenderLinks,
    private readonly options: PreviewRenderOptions,
    private readonly onEnqueued: () => void,
  ) {}

  async renderPreview(
    principal: Principal | undefined,
    videoId: string,
    trackId: string,
    cut?: { startSec: number; endSec: number } | null,
    startSec = 0,
  ): Promise<PreviewRender> {
    const caller = requirePrincipal(principal);
    const video = requireVisibleVideo(caller, await this.repos.videos.findById(videoId), videoId);
    return this.view(await this.claim(video, trackId, cut ?? null, startSec));
  }

  /**
   * The render a rater's preview plays: the suggestion's cut from the arm's start offset, as a
   * creator would get it. The caller checked the preview link's signature; the render is shared by
   * every rater and task with the same video, track and offset. The page polls this: a FAILED render
   * is answered as it is (its reason shown) instead of being queued again on every poll.
   */
  async raterPreview(source: { videoId: string; trackId: string; startSec: number }): Promise<PreviewRenderRecord> {
    const video = await this.repos.videos.findById(source.videoId);
    if (!video) throw notFound('Video', source.videoId);
    return this.claim(video, source.trackId, null, source.startSec, false);
  }

  /** Records the render and queues its job in one transaction, or answers the one already made. */
  private async claim(
    video: { id: string; status: string; durationSec: number | null },
    trackId: string,
    cut: { startSec: number; endSec: number } | null,
    startSec: number,
    restartFailed = true,
  ): Promise<PreviewRenderRecord> {
    if (video.status !== 'READY' || !video.durationSec)
      throw failedPrecondition(`Video ${video.id} is not READY (its voice-over timeline is made with its embedding)`);
    const track = await this.repos.renders.renderableTrack(trackId);
    if (!track) throw notFound('Licensed READY track', trackId);
    const trackSec = track.durationSec ?? 0;
    if (trackSec > 0 && startSec >= trackSec)
      throw badInput(`startSec is past the track's end (${trackSec.toFixed(3)} s)`, { argument: 'startSec' });
    const chosen = cut
      ? this.callerCut(cut, trackSec)
      : await this.suggestedCut(trackId, video.durationSec, trackSec, startSec);
    const inputs = { videoId: video.id, trackId, ...chosen, targetLufs: this.options.targetLufs };
    const expiresAt = new Date(Date.now() + this.options.ttlHours * 3_600_000);
    const { render, queued } = await this.uow.run(async ({ renders, jobs }) => {
      const claimed = await renders.claim(inputs, expiresAt, restartFailed);
      // videoId in the payload: deleting the video cancels the job with its other jobs.
      if (claimed.queued) await jobs.enqueue('RENDER_PREVIEW', { renderId: claimed.render.id, videoId: video.id });
      return claimed;
    });
    if (queued) this.onEnqueued();
    return render;
  }

  async previewRender(principal: Principal | undefined, id: string): Promise<PreviewRender> {
    const caller = requirePrincipal(principal);
    const render = await this.repos.renders.findById(id);
    // Someone else's render does not exist, as their video does not.
    if (!render) throw notFound('PreviewRender', id);
    requireVisibleVideo(caller, await this.repos.videos.findById(render.videoId), id);
    return this.view(render);
  }

  private callerCut(cut: { startSec: number; endSec: number }, trackSec: number) {
    if (!(cut.endSec - cut.startSec >= MIN_CUT_SEC))
      throw badInput(`cut: endSec must be at least ${MIN_CUT_SEC} s after startSec`, { argument: 'cut' });
    if (trackSec > 0 && cut.endSec > trackSec + 1e-3)
      throw badInput(`cut: endSec is past the track's end (${trackSec.toFixed(3)} s)`, { argument: 'cut' });
    const length = cut.endSec - cut.startSec;
    return {
      cutStartSec: ms(cut.startSec),
      cutEndSec: ms(cut.endSec),
      fadeOutSec: ms(Math.min(CALLER_CUT_FADE_SEC, length / 4)),
    };
  }

  /**
   * The suggestion's cut (music-cut.ts, from the track's rhythm) around `startSec`, the
   * suggestion's start offset; a track without an analysed rhythm plays from there for the
   * video's length.
   */
  private async suggestedCut(trackId: string, videoSec: number, trackSec: number, startSec: number) {
    const [rhythm] = await this.repos.analyses.findRhythms([trackId]);
    const cut =
      rhythm && trackSec > 0
        ? musicCut({
            windowStartSec: startSec,
            videoSec,
            trackSec,
            downbeats: rhythm.downbeats,
            tempoBpm: rhythm.tempoBpm,
          })
        : null;
    if (cut) return { cutStartSec: ms(cut.startSec), cutEndSec: ms(cut.endSec), fadeOutSec: ms(cut.fadeOutSec) };
    const end = trackSec > 0 ? Math.min(trackSec, startSec + videoSec) : startSec + videoSec;
    const length = end - startSec;
    return {
      cutStartSec: ms(startSec),
      cutEndSec: ms(end),
      fadeOutSec: ms(Math.min(CALLER_CUT_FADE_SEC, length / 4)),
    };
  }

  private view(render: PreviewRenderRecord): PreviewRender {
    const ready = render.status === 'READY' && render.expiresAt.getTime() > Date.now();
    const link = ready
      ? this.links.sign(
          render.id,
          new Date(Math.min(render.expiresAt.getTime(), Date.now() + this.options.linkTtlSec * 1000)),
        )
      : null;
    return {
      id: render.id,
      videoId: render.videoId,
      trackId: render.trackId,
      status: render.status,
      cutStartSec: render.cutStartSec,
      cutEndSec: render.cutEndSec,
      targetLufs: render.targetLufs,
      measuredLufs: render.measuredLufs,
      error: render.error,
      url: link?.url ?? null,
      urlExpiresAt: link?.expiresAt ?? null,
      createdAt: render.createdAt,
      expiresAt: render.expiresAt,
    };
  }
}
