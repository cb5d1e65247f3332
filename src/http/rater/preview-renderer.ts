import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Semaphore } from '../../common/semaphore';
import { mediaBinaries, type MediaBinaries } from '../../media/ffmpeg-binary';
import { SAFE_INPUT_ARGS, safeInput } from '../../media/ffmpeg-input';
import { ffmpegReason } from '../../media/ffmpeg-stderr';
import { MediaError, MediaErrorCode } from '../../media/media-error';
import { probeMedia } from '../../media/probe';
import { runProcess } from '../../media/run-process';
import type { PreviewSource } from '../../modules/experiment/preference.service';
import { type MediaStorage, withLocalFiles } from '../../storage/media-storage';

/** Local files of the media a preview mixes (scratch copies on an object store). */
type PreviewFiles = { videoPath: string; voiceOverPath: string | null; trackPath: string };

export interface PreviewRendererOptions {
  /** Longest preview; longer videos are cut (a rater judges the fit, not the whole video). */
  maxSeconds: number;
  /** Linear gain of the music under the voice-over (0.25 is about -12 dB). */
  musicGain: number;
  timeoutMs: number;
  /** ffmpeg renders at once in this process (each takes about a core); more requests wait. */
  maxConcurrent: number;
  binaries?: () => MediaBinaries;
}

export const DEFAULT_PREVIEW_OPTIONS: PreviewRendererOptions = {
  maxSeconds: 90,
  musicGain: 0.25,
  timeoutMs: 180_000,
  maxConcurrent: 2,
};

const MAX_PROBE_BYTES = Number.MAX_SAFE_INTEGER;

/**
 * Renders what a rater hears for one side of a task: the video's frames with its voice-over and
 * the arm's track (from its start offset, looped if short, at a lower volume) mixed under it, as
 * an H.264/AAC MP4 that starts playing before it is fully loaded. Previews are cached by their
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
    const { maxSeconds, musicGain } = this.options;
    return createHash('sha256')
      .update(JSON.stringify({ v: 2, inputs, start: source.startSec, maxSeconds, musicGain }))
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

  private async renderTo(source: PreviewFiles & { startSec: number }, out: string): Promise<string> {
    const binaries = (this.options.binaries ?? mediaBinaries)();
    const video = await probeMedia(
      source.videoPath,
      { maxFileBytes: MAX_PROBE_BYTES, maxDurationSeconds: Number.MAX_SAFE_INTEGER, requireVideo: true },
      binaries,
    );
    const seconds = Math.min(video.durationSeconds ?? this.options.maxSeconds, this.options.maxSeconds);
    const voiceInput = source.voiceOverPath ?? (video.audio ? source.videoPath : null);
    const args = ['-nostdin', '-v', 'error', '-y', ...SAFE_INPUT_ARGS, '-i', safeInput(source.videoPath)];
    if (source.voiceOverPath) args.push(...SAFE_INPUT_ARGS, '-i', safeInput(source.voiceOverPath));
    const music = source.voiceOverPath ? 2 : 1;
    args.push(
      ...SAFE_INPUT_ARGS,
      '-stream_loop',
      '-1',
      '-ss',
      source.startSec.toFixed(3),
      '-i',
      safeInput(source.trackPath),
    );
    args.push('-filter_complex', this.graph(voiceInput ? (source.voiceOverPath ? 1 : 0) : null, music, seconds));
    args.push(
      '-map',
      '[v]',
      '-map',
      '[a]',
      '-t',
      seconds.toFixed(3),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '26',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ar',
      '48000',
      '-movflags',
      '+faststart',
    );
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const tmp = `${out}.${randomBytes(6).toString('hex')}.tmp.mp4`;
    try {
      const result = await runProcess(binaries.ffmpeg, [...args, tmp], {
        timeoutMs: this.options.timeoutMs,
        maxStdoutBytes: 64 * 1024,
      });
      if (result.exitCode !== 0) {
        throw new MediaError(
          MediaErrorCode.DecodeFailed,
          `preview rendering failed: ${ffmpegReason(result.stderr, safeInput(source.videoPath))}`,
        );
      }
      // Atomic publish: a reader never sees a half-written preview.
      await fs.promises.rename(tmp, out);
      return out;
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
  }

  /**
   * The voice (when there is one) at full level, padded with silence so that a voice-over
   * shorter than the video does not cut it, plus the music at `musicGain`; amix halves each
   * input, so the sum is doubled back and then limited to avoid clipping. Frames are scaled to
   * at most 640 px wide (even sizes, as H.264 4:2:0 needs).
   */
  private graph(voice: number | null, music: number, seconds: number): string {
    const fmt = 'aformat=sample_fmts=fltp:channel_layouts=stereo,aresample=48000';
    const trim = `atrim=duration=${seconds.toFixed(3)}`;
    const parts = [
      `[0:v:0]scale='trunc(min(640,iw)/2)*2':-2,setsar=1[v]`,
      `[${music}:a:0]${fmt},volume=${this.options.musicGain}[m]`,
    ];
    if (voice === null) parts.push(`[m]${trim}[a]`);
    else
      parts.push(
        `[${voice}:a:0]${fmt},apad[vo]`,
        `[vo][m]amix=inputs=2:duration=first:dropout_transition=0,volume=2,alimiter=limit=0.95,${trim}[a]`,
      );
    return parts.join(';');
  }
}
