import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Semaphore } from '../../common/semaphore';
import type { MediaBinaries } from '../../media/ffmpeg-binary';
import { renderMix } from '../../media/preview/render-mix';
import type { PreviewSource } from '../../modules/experiment/preference.service';
import { type MediaStorage, withLocalFiles } from '../../storage/media-storage';

/** Local files of the media a preview mixes (scratch copies on an object store). */
type PreviewFiles = { videoPath: string; voiceOverPath: string | null; trackPath: string };

export interface PreviewRendererOptions {
  /** Longest preview; longer videos are cut (a rater judges the fit, not the whole video). */
  maxSeconds: number;
  /** Level of the music under the voice-over. */
  musicGainDb: number;
  /** Integrated loudness of every preview, so both sides of a pair play equally loud. */
  targetLufs: number;
  timeoutMs: number;
  /** ffmpeg renders at once in this process (each takes about a core); more requests wait. */
  maxConcurrent: number;
  binaries?: () => MediaBinaries;
}

export const DEFAULT_PREVIEW_OPTIONS: PreviewRendererOptions = {
  maxSeconds: 90,
  musicGainDb: -12,
  targetLufs: -14,
  timeoutMs: 180_000,
  maxConcurrent: 2,
};

// The media was checked when it was registered; a preview does not bound it again.
const UNBOUNDED = { maxFileBytes: Number.MAX_SAFE_INTEGER, maxDurationSeconds: Number.MAX_SAFE_INTEGER };

/**
 * Renders what a rater hears for one side of a task: the video's frames with its voice-over and
 * the arm's track (from its start offset, looped if short, at a lower volume) mixed under it, as
 * an H.264/AAC MP4 that starts playing before it is fully loaded, at the preview loudness target
 * (rendered by media/preview/render-mix.ts, the renderer of renderPreview jobs). Previews are cached by their
 * inputs (media references, offset), so every rater and task with the same video and track
 * shares one file, and concurrent requests for one preview render it once. A media reference
 * never names other bytes later (uploads are content-addressed or get fresh keys), so the
 * reference alone keys the cache, and a cache hit reads nothing from the media store.
 */
export class PreviewRenderer {
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly options: PreviewRendererOptions;
  private readonly renders: Semaphore;

  constructor(
    private readonly cacheDir: string,
    private readonly media: Pick<MediaStorage, 'withLocalFile'>,
    options: Partial<PreviewRendererOptions> = {},
  ) {
    this.options = { ...DEFAULT_PREVIEW_OPTIONS, ...options };
    this.renders = new Semaphore(this.options.maxConcurrent);
  }

  async render(source: PreviewSource): Promise<string> {
    const key = this.cacheKey(source);
    const out = path.join(this.videoDir(source.videoId), `${key}.mp4`);
    if (fs.existsSync(out)) return out;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.renderFile(source, out).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Renders one preview to `out` (published atomically), whatever is cached. */
  renderFile(source: PreviewSource, out: string): Promise<string> {
    // Bounded: previews render in the API process, which must keep answering queries.
    return this.renders.run(() => this.withFiles(source, (files) => this.renderTo(files, out)));
  }

  /**
   * Removes every cached preview of a deleted video: they carry its voice-over. Previews live in a
   * folder per video for this reason.
   */
  async purge(videoId: string): Promise<void> {
    await fs.promises.rm(this.videoDir(videoId), { recursive: true, force: true });
  }

  /**
   * Deletes previews rendered more than maxAgeMs ago (and renders a crash left half-written), then
   * the video folders left empty: the cache would otherwise only grow. A preview asked for again
   * is rendered again. Returns how many files went.
   */
  async evictOlderThan(maxAgeMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    const videos = await fs.promises.readdir(this.cacheDir, { withFileTypes: true }).catch(() => []);
    for (const video of videos) {
      if (!video.isDirectory()) continue;
      const dir = path.join(this.cacheDir, video.name);
      const files = await fs.promises.readdir(dir);
      let kept = files.length;
      for (const name of files) {
        const file = path.join(dir, name);
        const stat = await fs.promises.stat(file).catch(() => undefined);
        if (stat && now - stat.mtimeMs > maxAgeMs) {
          await fs.promises.rm(file, { force: true });
          removed++;
          kept--;
        }
      }
      // Not recursive: a render that started meanwhile keeps its folder (rmdir fails, fine).
      if (kept === 0) await fs.promises.rmdir(dir).catch(() => undefined);
    }
    return removed;
  }

  private videoDir(videoId: string): string {
    if (!/^[0-9a-f-]{36}$/i.test(videoId)) throw new RangeError(`not a video id: ${videoId}`);
    return path.join(this.cacheDir, videoId);
  }

  /** What a preview is rendered from (media references, offset, mix settings), hashed: its name in any cache. */
  cacheKey(source: PreviewSource): string {
    const inputs = [source.videoUri, source.voiceOverUri, source.trackUri];
    const { maxSeconds, musicGainDb, targetLufs } = this.options;
    return createHash('sha256')
      .update(JSON.stringify({ v: 3, inputs, start: source.startSec, maxSeconds, musicGainDb, targetLufs }))
      .digest('hex')
      .slice(0, 40);
  }

  private withFiles<T>(source: PreviewSource, fn: (files: PreviewFiles & { startSec: number }) => Promise<T>) {
    return withLocalFiles(
      this.media,
      [source.videoUri, source.trackUri, source.voiceOverUri],
      ([videoPath, trackPath, voiceOverPath]) =>
        fn({ videoPath, voiceOverPath: voiceOverPath ?? null, trackPath, startSec: source.startSec }),
    );
  }

  /** The one preview renderer (media/preview/render-mix.ts), as renderPreview jobs use it. */
  private async renderTo(source: PreviewFiles & { startSec: number }, out: string): Promise<string> {
    await renderMix({ video: source.videoPath, voiceOver: source.voiceOverPath, track: source.trackPath }, out, {
      // The rater page has no cut: the arm's track from its start offset, looped, under the voice.
      music: { startSec: source.startSec, endSec: null, fadeOutSec: 0, gainDb: this.options.musicGainDb },
      maxSeconds: this.options.maxSeconds,
      targetLufs: this.options.targetLufs,
      timeoutMs: this.options.timeoutMs,
      limits: UNBOUNDED,
      binaries: this.options.binaries?.(),
    });
    return out;
  }
}
