import { availableParallelism } from 'node:os';

import { mediaBinaries, type MediaBinaries } from './ffmpeg-binary';
import { assertDecoded, assertNotCutShort } from './decode-failure';
import { type DecodeCommand, forcedFormatArgs, SAFE_INPUT_ARGS, safeInput, soloDecodeArgs } from './ffmpeg-input';
import { MediaError, MediaErrorCode } from './media-error';
import { runProcess } from './run-process';

/**
 * crop: scale the short side to the target and cut the centre (SlowFast's test-time transform;
 * no black bars for the model to learn). letterbox: fit the whole picture, pad with black.
 */
export type FrameFit = 'crop' | 'letterbox';

export interface ClipFramesOptions {
  width?: number;
  height?: number;
  fit?: FrameFit;
  clipSeconds?: number;
  fastFrames?: number;
  slowFrames?: number;
  /** The stream's duration from probeMedia (MediaInfo.video.durationSeconds), to catch cut-off files. */
  declaredDurationSeconds?: number | null;
  /** Absolute stream index (MediaInfo.video.index); default: the first video that is not cover art. */
  streamIndex?: number;
  /** The container probeMedia found (MediaInfo.formatName): the file is read as that and nothing else. */
  format?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Default true: the decoder skips frames no other frame refers to (most B-frames), so a 30 fps
   * clip sampled at 2 fps decodes about half its frames; the fps filter then takes the nearest
   * decoded frame, at most a frame or two (33-67 ms at 30 fps) from the one it would have taken
   * (bench:ingest measures the cost and the embedding's change). false decodes every frame.
   */
  skipNonReferenceFrames?: boolean;
  /**
   * Default true: the decoder skips its deblocking (loop) filter. The frames are scaled down to
   * 64x64 by area averaging, which smooths block edges away anyway: on bench:ingest's 32 s 640x360
   * clip the sampled frames changed by 0.13 % of the pixel range on average (the non-reference skip
   * changed them by 0.4-0.9 %), for 0.81x the decoder's CPU time on one core (docs/BENCHMARKS.md,
   * "The loop filter"). false: the decoder's full output.
   */
  skipLoopFilter?: boolean;
  /** The source picture's size (MediaInfo.video), which picks the decoder's threads (decoderThreads). */
  sourceSize?: { width: number; height: number };
  /** ffmpeg's decoder threads; 0 lets ffmpeg choose. Default: decoderThreads(cores, sourceSize). */
  decoderThreads?: number;
}

export interface ClipFrames {
  /** [fastFrames, 3, height, width], RGB in [0, 1]; frame i shows t = i * clipSeconds / fastFrames. */
  fast: Float32Array;
  /** [slowFrames, 3, height, width]: every (fastFrames / slowFrames)-th fast frame. */
  slow: Float32Array;
  fastFrames: number;
  slowFrames: number;
  height: number;
  width: number;
  /** Distinct frames decoded from the file; fewer than fastFrames means the video was looped. */
  decodedFrames: number;
}

const MAX_SIDE = 1024;

/** Sources up to this many pixels per frame decode fastest on one thread, whatever the cores. */
export const ONE_THREAD_MAX_PIXELS = 640 * 480;

/**
 * ffmpeg's decoder threads for the sampled-frames pass (0: ffmpeg's own choice). Frame threading
 * pays for itself only on large pictures with a core to spare: with non-reference frames skipped
 * and 64 frames kept, its hand-offs cost more than they save on small ones. Measured with the
 * static ffmpeg 4.x on a 32 s 30 fps x264 clip (docs/BENCHMARKS.md, "The query video"): pinned
 * to one core one thread took 0.80x ffmpeg's choice at 640x360, 0.85x at 720p, 0.87x at 1080p;
 * on two idle cores 0.90x at 640x360 but 1.16x at 720p and 1.21x at 1080p.
 */
export function decoderThreads(cores: number, source?: { width: number; height: number }): number {
  if (cores <= 1) return 1;
  return source !== undefined && source.width * source.height <= ONE_THREAD_MAX_PIXELS ? 1 : 0;
}

export function frameFilter(width: number, height: number, fps: number, fit: FrameFit): string {
  const rate = `fps=${fps}`;
  switch (fit) {
    case 'crop':
      return `${rate},scale=${width}:${height}:force_original_aspect_ratio=increase:flags=area,crop=${width}:${height}`;
    case 'letterbox':
      return (
        `${rate},scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=area,` +
        `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`
      );
  }
}

function resolveOptions(o: ClipFramesOptions) {
  const r = {
    width: o.width ?? 64,
    height: o.height ?? 64,
    fit: o.fit ?? 'crop',
    clipSeconds: o.clipSeconds ?? 32,
    fastFrames: o.fastFrames ?? 64,
    slowFrames: o.slowFrames ?? 8,
  };
  const sideOk = (n: number) => Number.isInteger(n) && n >= 2 && n <= MAX_SIDE;
  if (!sideOk(r.width) || !sideOk(r.height)) throw new RangeError(`frame size must be 2..${MAX_SIDE} px`);
  if (!Number.isInteger(r.fastFrames) || r.fastFrames < 1 || r.fastFrames > 1024 || !(r.clipSeconds > 0)) {
    throw new RangeError('fastFrames must be 1..1024 and clipSeconds > 0');
  }
  if (!Number.isInteger(r.slowFrames) || r.slowFrames < 1 || r.fastFrames % r.slowFrames !== 0) {
    throw new RangeError('slowFrames must divide fastFrames');
  }
  return r;
}

/** rgb24 frames (HWC bytes), repeated in order to `count` frames, as [count, 3, H, W] floats. */
function toChannelsFirst(rgb: Buffer, decoded: number, count: number, stride: number, h: number, w: number) {
  const plane = h * w;
  const frameBytes = plane * 3;
  const out = new Float32Array(count * frameBytes);
  for (let i = 0; i < count; i++) {
    const src = ((i * stride) % decoded) * frameBytes;
    const dst = i * frameBytes;
    for (let p = 0; p < plane; p++) {
      const s = src + p * 3;
      out[dst + p] = (rgb[s] ?? 0) / 255;
      out[dst + plane + p] = (rgb[s + 1] ?? 0) / 255;
      out[dst + 2 * plane + p] = (rgb[s + 2] ?? 0) / 255;
    }
  }
  return out;
}

/** The clip's frame decode as a DecodeCommand, and the frames made of its bytes (with its checks). */
export interface ClipFramesCommand extends DecodeCommand {
  frames: (bytes: Buffer) => ClipFrames;
}

export function clipFramesCommand(filePath: string, options: ClipFramesOptions = {}): ClipFramesCommand {
  const o = resolveOptions(options);
  const input = safeInput(filePath);
  const frameBytes = o.width * o.height * 3;
  const threads = options.decoderThreads ?? decoderThreads(availableParallelism(), options.sourceSize);
  const { width: w, height: h, fastFrames, slowFrames, clipSeconds } = o;
  return {
    input,
    inputArgs: [
      ...SAFE_INPUT_ARGS,
      ...forcedFormatArgs(options.format),
      ...(options.skipNonReferenceFrames === false ? [] : ['-skip_frame', 'noref']),
      ...(options.skipLoopFilter === false ? [] : ['-skip_loop_filter', 'all']),
      ...(threads > 0 ? ['-threads', String(threads)] : []),
      '-t',
      clipSeconds.toFixed(3),
      '-i',
      input,
    ],
    outputArgs: (n, target) => [
      '-map',
      options.streamIndex === undefined ? `${n}:V:0` : `${n}:${options.streamIndex}`,
      '-an',
      '-sn',
      '-dn',
      '-vf',
      frameFilter(w, h, fastFrames / clipSeconds, o.fit),
      '-frames:v',
      String(fastFrames),
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      target,
    ],
    maxBytes: fastFrames * frameBytes,
    frames: (bytes) => {
      const decoded = Math.floor(bytes.length / frameBytes);
      if (decoded === 0) throw new MediaError(MediaErrorCode.DecodeFailed, 'no video frames could be decoded');
      const secondsPerFrame = clipSeconds / fastFrames;
      assertNotCutShort(decoded * secondsPerFrame, options.declaredDurationSeconds, clipSeconds, 2 * secondsPerFrame);
      return {
        fast: toChannelsFirst(bytes, decoded, fastFrames, 1, h, w),
        slow: toChannelsFirst(bytes, decoded, slowFrames, fastFrames / slowFrames, h, w),
        fastFrames,
        slowFrames,
        height: h,
        width: w,
        decodedFrames: decoded,
      };
    },
  };
}

/**
 * Samples the query clip's frames: fastFrames evenly over the first clipSeconds (2 fps by
 * default). A shorter video is decoded once and its frames repeated (paper §4.2 loops short
 * videos), which is cheaper than having ffmpeg decode it several times.
 */
export async function decodeClipFrames(
  filePath: string,
  options: ClipFramesOptions = {},
  binaries: MediaBinaries = mediaBinaries(),
): Promise<ClipFrames> {
  const command = clipFramesCommand(filePath, options);
  const result = await runProcess(binaries.ffmpeg, soloDecodeArgs(command), {
    timeoutMs: options.timeoutMs ?? 60_000,
    maxStdoutBytes: command.maxBytes,
    signal: options.signal,
  });
  assertDecoded(result, command.input, 'video');
  return command.frames(result.stdout);
}
