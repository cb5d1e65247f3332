import { readQueryVideo } from '../../../../src/jobs/handlers/query-video-inputs';
import { decodeClipFrames } from '../../../../src/media/decode-frames';
import { MediaError, MediaErrorCode } from '../../../../src/media/media-error';
import { MediaFixtures } from '../../../helpers/media-fixtures';

jest.setTimeout(60_000);

const bounds = { maxFileBytes: 1e9, maxDurationSeconds: 600 };
const size = { width: 32, height: 32 };

let fx: MediaFixtures;
let withBFrames: string;
let silentVideo: string;
let tone: string;

beforeAll(() => {
  fx = new MediaFixtures();
  // x264's default preset uses B-frames, most of which no other frame refers to (phones' encoders
  // often do too): the frames the decoder may skip.
  withBFrames = fx.generate('bframes.mp4', [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=30:duration=6',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=6',
    '-c:v',
    'libx264',
    '-preset',
    'medium',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
  ]);
  silentVideo = fx.video('silent.mp4', 3, { size: '160x90', audio: false });
  tone = fx.generate('tone.wav', ['-f', 'lavfi', '-i', 'sine=frequency=300:duration=3']);
});
afterAll(() => fx.cleanup());

const failure = async (p: Promise<unknown>) => {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof MediaError)) throw new Error(`expected a MediaError, got ${String(err)}`);
  return err.code;
};

describe('readQueryVideo', () => {
  it('reads the frames at each size once and the voice-over (own audio, or the separate file) as patches', async () => {
    const own = await readQueryVideo(withBFrames, undefined, [size, size, { width: 16, height: 16 }], { bounds });
    expect([...own.frames.keys()]).toEqual(['32x32', '16x16']);
    expect(own.frames.get('32x32')!.fast).toHaveLength(64 * 3 * 32 * 32);
    expect(own.voicePatches).toHaveLength(33 * 96 * 64);
    const separate = await readQueryVideo(silentVideo, tone, [size], { bounds });
    expect(separate.info.audio).toBeNull();
    expect(separate.voicePatches).toHaveLength(33 * 96 * 64);
    // The separate voice-over is what was read, not the (absent) video audio.
    expect(separate.voicePatches.some((x, i) => x !== own.voicePatches[i])).toBe(true);
  });

  it('answers NO_AUDIO for a silent video without voice-over, and the video’s own error before the voice-over’s', async () => {
    expect(await failure(readQueryVideo(silentVideo, undefined, [size], { bounds }))).toBe(MediaErrorCode.NoAudio);
    const notMedia = fx.randomBytes('junk.mp4', 4096);
    expect(await failure(readQueryVideo(notMedia, notMedia, [size], { bounds }))).toBe(MediaErrorCode.NotMedia);
    expect(await failure(readQueryVideo(notMedia, tone, [size], { bounds }))).toBe(MediaErrorCode.NotMedia);
    // A good video with a broken voice-over: the voice-over's error.
    expect(await failure(readQueryVideo(withBFrames, notMedia, [size], { bounds }))).toBe(MediaErrorCode.NotMedia);
    // Probes well but fails the decode's checks: the one-process read gives way to the separate
    // reads, whose error it is.
    const silence = fx.silentWav('silence.wav', 3);
    expect(await failure(readQueryVideo(withBFrames, silence, [size], { bounds }))).toBe(MediaErrorCode.SilentAudio);
    // The one process reads the voice-over without its probe; a voice-over its probe refuses is
    // refused as before, not cut at the duration bound.
    expect(
      await failure(readQueryVideo(silentVideo, tone, [size], { bounds: { ...bounds, maxDurationSeconds: 2.5 } })),
    ).toBe(MediaErrorCode.TooLong);
    expect(
      await failure(readQueryVideo(silentVideo, tone, [size], { bounds: { ...bounds, maxFileBytes: 200_000 } })),
    ).toBe(MediaErrorCode.TooLarge);
  });

  it('reads a separate voice-over with the frames as the separate reads do, at every size', async () => {
    const read = await readQueryVideo(silentVideo, tone, [size, { width: 16, height: 16 }, size], { bounds });
    expect([...read.frames.keys()]).toEqual(['32x32', '16x16']);
    for (const s of [size, { width: 16, height: 16 }]) {
      const apart = await decodeClipFrames(silentVideo, { ...s, format: read.info.formatName });
      expect(read.frames.get(`${s.width}x${s.height}`)!.fast).toEqual(apart.fast);
    }
    expect(read.voicePcm).toHaveLength(3 * 16_000);
    expect(read.voiceSeconds).toBe(3);
    const apart = await readQueryVideo(silentVideo, tone, [size], { bounds, oneProcess: false });
    expect(read.voicePcm).toEqual(apart.voicePcm);
    expect(read.voicePatches).toEqual(apart.voicePatches);
  });
});

describe('decodeClipFrames skipping non-reference frames', () => {
  it('samples the same count of frames, each within a frame or two of the exact one', async () => {
    const skipped = await decodeClipFrames(withBFrames, { ...size, clipSeconds: 6, fastFrames: 12, slowFrames: 4 });
    const every = await decodeClipFrames(withBFrames, {
      ...size,
      clipSeconds: 6,
      fastFrames: 12,
      slowFrames: 4,
      skipNonReferenceFrames: false,
    });
    expect(skipped.decodedFrames).toBe(every.decodedFrames);
    let diff = 0;
    for (let i = 0; i < every.fast.length; i++) diff += Math.abs(every.fast[i]! - skipped.fast[i]!);
    const meanDiff = diff / every.fast.length;
    // Not identical (some sampled frames were skipped and a neighbour taken) but close: testsrc2
    // moves a few pixels a frame, while frames half a second apart differ far more.
    expect(meanDiff).toBeGreaterThan(0);
    expect(meanDiff).toBeLessThan(0.03);
    let apart = 0;
    const frameLen = 3 * 32 * 32;
    for (let i = 0; i < frameLen; i++) apart += Math.abs(every.fast[i]! - every.fast[frameLen + i]!);
    expect(apart / frameLen).toBeGreaterThan(3 * meanDiff);
  });
});

describe('decodeClipFrames skipping the loop filter', () => {
  it('changes the small sampled frames by a small fraction of the pixel range', async () => {
    const opts = { ...size, clipSeconds: 6, fastFrames: 12, slowFrames: 4 };
    const skipped = await decodeClipFrames(withBFrames, opts);
    const filtered = await decodeClipFrames(withBFrames, { ...opts, skipLoopFilter: false });
    expect(skipped.decodedFrames).toBe(filtered.decodedFrames);
    let diff = 0;
    for (let i = 0; i < filtered.fast.length; i++) diff += Math.abs(filtered.fast[i]! - skipped.fast[i]!);
    // 0.13 % on bench:ingest's 640x360 clip scaled to 64x64; the non-reference skip's bound is 3 %.
    expect(diff / filtered.fast.length).toBeLessThan(0.005);
  });
});

describe('decodeClipFrames on one decoder thread', () => {
  it('gives the same frames as ffmpeg’s own thread count, with B-frames skipped or not', async () => {
    const opts = { ...size, clipSeconds: 6, fastFrames: 12, slowFrames: 4 };
    for (const skipNonReferenceFrames of [true, false]) {
      const one = await decodeClipFrames(withBFrames, { ...opts, skipNonReferenceFrames, decoderThreads: 1 });
      const auto = await decodeClipFrames(withBFrames, { ...opts, skipNonReferenceFrames, decoderThreads: 0 });
      expect(one.decodedFrames).toBe(12);
      expect(Buffer.from(one.fast.buffer).equals(Buffer.from(auto.fast.buffer))).toBe(true);
    }
  });
});
