import { assertDecoded, assertNotCutShort } from '../../src/media/decode-failure';
import { frameFilter, type FrameFit } from '../../src/media/decode-frames';
import { mediaBinaries, type MediaBinaries } from '../../src/media/ffmpeg-binary';
import { SAFE_INPUT_ARGS, safeInput } from '../../src/media/ffmpeg-input';
import { MediaError, MediaErrorCode } from '../../src/media/media-error';
import { runProcess } from '../../src/media/run-process';

export interface AllFramesOptions {
  width?: number;
  height?: number;
  fit?: FrameFit;
  /** Frames per second sampled (2 in the model contract: frame i at t = i / fps). */
  fps?: number;
  /** Upper bound on the decoded length; also bounds memory. */
  maxSeconds: number;
  declaredDurationSeconds?: number | null;
  timeoutMs?: number;
}

export interface AllFrames {
  /** [count, height, width, 3] RGB bytes (HWC, as the training reader stores them). */
  rgb: Buffer;
  count: number;
  height: number;
  width: number;
}

/**
 * Decodes a whole video at `fps` (2 by default) with the same filter chain as the serving path
 * (decodeClipFrames), so training frames and query frames are cropped and scaled alike.
 */
export async function decodeAllFrames(
  filePath: string,
  o: AllFramesOptions,
  binaries: MediaBinaries = mediaBinaries(),
): Promise<AllFrames> {
  const width = o.width ?? 64;
  const height = o.height ?? 64;
  const fps = o.fps ?? 2;
  if (!(o.maxSeconds > 0) || !(fps > 0) || width < 2 || height < 2 || width > 1024 || height > 1024) {
    throw new RangeError('decodeAllFrames: bad size, fps or maxSeconds');
  }
  const input = safeInput(filePath);
  const maxFrames = Math.ceil(o.maxSeconds * fps) + 1;
  const frameBytes = width * height * 3;
  const args = [
    '-nostdin',
    '-hide_banner',
    '-v',
    'warning',
    ...SAFE_INPUT_ARGS,
    '-t',
    o.maxSeconds.toFixed(3),
    '-i',
    input,
    '-map',
    '0:V:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    frameFilter(width, height, fps, o.fit ?? 'crop'),
    '-frames:v',
    String(maxFrames),
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
  const result = await runProcess(binaries.ffmpeg, args, {
    timeoutMs: o.timeoutMs ?? 120_000,
    maxStdoutBytes: maxFrames * frameBytes,
  });
  assertDecoded(result, input, 'video');
  const count = Math.floor(result.stdout.length / frameBytes);
  if (count === 0) throw new MediaError(MediaErrorCode.DecodeFailed, 'no video frames could be decoded');
  assertNotCutShort(count / fps, o.declaredDurationSeconds, o.maxSeconds, 2 / fps);
  return { rgb: result.stdout.subarray(0, count * frameBytes), count, height, width };
}
