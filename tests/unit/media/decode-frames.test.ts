import { decodeClipFrames, decoderThreads, type ClipFrames } from '../../../src/media/decode-frames';
import { MediaError, MediaErrorCode } from '../../../src/media/media-error';
import { probeMedia } from '../../../src/media/probe';
import { MediaFixtures } from '../../helpers/media-fixtures';

jest.setTimeout(60_000);

let fx: MediaFixtures;
let av10: string;
let clip10: ClipFrames;

beforeAll(async () => {
  fx = new MediaFixtures();
  av10 = fx.video('av10.mp4', 10);
  clip10 = await decodeClipFrames(av10);
});
afterAll(() => fx.cleanup());

function frame(frames: Float32Array, i: number, c: ClipFrames): Float32Array {
  const size = 3 * c.height * c.width;
  return frames.subarray(i * size, (i + 1) * size);
}

async function decodeError(...args: Parameters<typeof decodeClipFrames>): Promise<MediaError> {
  const error: unknown = await decodeClipFrames(...args).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MediaError)) throw new Error(`expected a MediaError, got ${String(error)}`);
  return error;
}

describe('decodeClipFrames', () => {
  it('returns [64,3,64,64] and [8,3,64,64] RGB in [0,1]', () => {
    expect([clip10.fastFrames, clip10.slowFrames, clip10.height, clip10.width]).toEqual([64, 8, 64, 64]);
    expect(clip10.fast.length).toBe(64 * 3 * 64 * 64);
    expect(clip10.slow.length).toBe(8 * 3 * 64 * 64);
    let min = Infinity;
    let max = -Infinity;
    for (const v of clip10.fast) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max - min).toBeGreaterThan(0.5);
  });

  it('accepts a complete video whose declared duration it is given', async () => {
    const declared = await decodeClipFrames(av10, { declaredDurationSeconds: 10 });
    expect(declared.decodedFrames).toBe(20);
  });

  it('loops a 10 s video: 20 frames at 2 fps, repeated to 64', () => {
    expect(clip10.decodedFrames).toBe(20);
    expect(frame(clip10.fast, 1, clip10)).not.toEqual(frame(clip10.fast, 0, clip10));
    for (const i of [20, 21, 39, 40, 63]) {
      expect(frame(clip10.fast, i, clip10)).toEqual(frame(clip10.fast, i % 20, clip10));
    }
  });

  it('takes every 8th fast frame for the slow path', () => {
    for (let j = 0; j < 8; j++) expect(frame(clip10.slow, j, clip10)).toEqual(frame(clip10.fast, 8 * j, clip10));
  });

  it('samples only the first 32 s of a longer video, without looping', async () => {
    const long = await decodeClipFrames(fx.video('long.mp4', 40, { size: '320x240', audio: false }));
    expect(long.decodedFrames).toBe(64);
    expect(frame(long.fast, 20, long)).not.toEqual(frame(long.fast, 0, long));
    expect(frame(long.fast, 63, long)).not.toEqual(frame(long.fast, 0, long));
  });

  it('letterboxes with black bars or crops the centre, at the requested size', async () => {
    const boxed = await decodeClipFrames(av10, {
      width: 32,
      height: 32,
      fit: 'letterbox',
      fastFrames: 8,
      slowFrames: 2,
      clipSeconds: 4,
    });
    expect(boxed.fast.length).toBe(8 * 3 * 32 * 32);
    const topRow = (c: ClipFrames) => Array.from(frame(c.fast, 0, c).subarray(0, c.width));
    // 640x360 into 32x32 is 32x18 with 7 rows of padding above.
    expect(topRow(boxed).every((v) => v === 0)).toBe(true);
    const cropped = await decodeClipFrames(av10, {
      width: 32,
      height: 32,
      fit: 'crop',
      fastFrames: 8,
      slowFrames: 2,
      clipSeconds: 4,
    });
    expect(topRow(cropped).some((v) => v > 0.1)).toBe(true);
  });

  it('reports a file without video as NO_VIDEO (cover art is not video)', async () => {
    const tone = fx.generate('tone.ogg', ['-f', 'lavfi', '-i', 'sine=duration=2', '-c:a', 'libvorbis']);
    expect((await decodeError(tone)).code).toBe(MediaErrorCode.NoVideo);
    const mp3 = fx.generate('cover.mp3', [
      '-f',
      'lavfi',
      '-i',
      'sine=duration=2',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=300x300:duration=1',
      '-map',
      '0',
      '-map',
      '1',
      '-frames:v',
      '1',
      '-c:v',
      'mjpeg',
      '-disposition:v',
      'attached_pic',
      '-c:a',
      'libmp3lame',
    ]);
    expect((await decodeError(mp3)).code).toBe(MediaErrorCode.NoVideo);
  });

  it('reports a cut-off video as TRUNCATED', async () => {
    const half = fx.truncatedCopy(fx.video('faststart.mp4', 10, { faststart: true }), 'half-faststart.mp4');
    const info = await probeMedia(half, { maxFileBytes: 1e8, maxDurationSeconds: 60 });
    const error = await decodeError(half, { declaredDurationSeconds: info.video?.durationSeconds });
    expect(error.code).toBe(MediaErrorCode.Truncated);
    expect(error.message).toMatch(/partial file|of the declared 10\.0 s/);
  });

  it('refuses sizes and frame counts outside its bounds', async () => {
    await expect(decodeClipFrames(av10, { width: 5000 })).rejects.toThrow(RangeError);
    await expect(decodeClipFrames(av10, { fastFrames: 64, slowFrames: 7 })).rejects.toThrow(RangeError);
  });
});

describe('decoderThreads', () => {
  it('uses one thread on one core, or for pictures up to 640x480; otherwise leaves it to ffmpeg (0)', () => {
    expect(decoderThreads(1)).toBe(1);
    expect(decoderThreads(1, { width: 1920, height: 1080 })).toBe(1);
    expect(decoderThreads(2, { width: 640, height: 360 })).toBe(1);
    expect(decoderThreads(8, { width: 640, height: 480 })).toBe(1);
    expect(decoderThreads(2, { width: 1280, height: 720 })).toBe(0);
    expect(decoderThreads(2)).toBe(0);
  });
});
