import { CLIP_PATCH_FLOATS, CLIP_SAMPLES, clipPatches, loopToLength, musicWindows } from '../../../src/features/clip';
import { logMelSpectrogram } from '../../../src/features/vggish-logmel';
import { sineSweep, xorshiftNoise } from './test-signals';

const SR = 16000;

// Byte comparison: jest's deep equality walks 200k floats one by one and takes seconds.
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const same = (a: Float32Array, b: Float32Array) => bytes(a).equals(bytes(b));

describe('loopToLength', () => {
  it('repeats short audio from its start and cuts long audio', () => {
    const pcm = Float32Array.from([1, 2, 3]);
    expect(Array.from(loopToLength(pcm, 8))).toEqual([1, 2, 3, 1, 2, 3, 1, 2]);
    expect(Array.from(loopToLength(pcm, 2))).toEqual([1, 2]);
    expect(() => loopToLength(new Float32Array(0), 4)).toThrow(RangeError);
  });
});

describe('clipPatches', () => {
  it('returns exactly [33, 96, 64] for a 32 s clip', () => {
    expect(CLIP_PATCH_FLOATS).toBe(33 * 96 * 64);
    expect(clipPatches(xorshiftNoise(40 * SR, 1, 0.5)).length).toBe(CLIP_PATCH_FLOATS);
  });

  it('loops a 10 s voice-over to 32 s, as if the audio had been repeated', () => {
    const voice = sineSweep(10 * SR, 200, 3000, 0.4);
    const looped = new Float32Array(CLIP_SAMPLES);
    for (let at = 0; at < CLIP_SAMPLES; at += voice.length) looped.set(voice.subarray(0, CLIP_SAMPLES - at), at);
    const expected = logMelSpectrogram(looped).data.subarray(0, CLIP_PATCH_FLOATS);
    expect(same(clipPatches(voice), expected)).toBe(true);
  });

  it('starts at the requested offset', () => {
    const pcm = xorshiftNoise(70 * SR, 2, 0.5);
    const fromOffset = clipPatches(pcm, 32);
    expect(same(fromOffset, clipPatches(pcm.slice(32 * SR)))).toBe(true);
    expect(same(fromOffset, clipPatches(pcm))).toBe(false);
    expect(() => clipPatches(pcm, 70)).toThrow(RangeError);
  });
});

describe('musicWindows', () => {
  it('cuts a track into 32 s windows, looping a long enough tail and dropping a short one', () => {
    const track = xorshiftNoise(100 * SR, 3, 0.5); // 0-32, 32-64, 64-96, 4 s tail
    const windows = musicWindows(track);
    expect(windows.map((w) => [w.index, w.startSeconds])).toEqual([
      [0, 0],
      [1, 32],
      [2, 64],
    ]);
    expect(windows.every((w) => w.patches.length === CLIP_PATCH_FLOATS)).toBe(true);

    const withTail = musicWindows(xorshiftNoise(74 * SR, 3, 0.5)); // 10 s tail >= 8 s
    expect(withTail.map((w) => w.startSeconds)).toEqual([0, 32, 64]);
    const tail = xorshiftNoise(74 * SR, 3, 0.5).slice(64 * SR);
    expect(same(withTail[2]!.patches, clipPatches(tail))).toBe(true);
  });

  it('keeps one looped window for a track shorter than the tail minimum', () => {
    const windows = musicWindows(xorshiftNoise(5 * SR, 4, 0.5));
    expect(windows).toHaveLength(1);
    expect(windows[0]!.startSeconds).toBe(0);
    expect(musicWindows(new Float32Array(0))).toEqual([]);
  });

  it('cuts overlapping windows every hop seconds, each equal to its own clip, while a whole clip fits', () => {
    const track = xorshiftNoise(41 * SR, 5, 0.5); // clips fit from 0 to 9 s
    const windows = musicWindows(track, 2.5);
    expect(windows.map((w) => w.startSeconds)).toEqual([0, 2.5, 5, 7.5]);
    for (const w of windows) expect(same(w.patches, clipPatches(track, w.startSeconds))).toBe(true);
    expect(windows.every((w) => w.patches.length === CLIP_PATCH_FLOATS)).toBe(true);
  });

  it('gives a track shorter than one clip its one looped window at any hop, and refuses a hop off the 10 ms grid', () => {
    const short = xorshiftNoise(20 * SR, 6, 0.5);
    expect(musicWindows(short, 2).map((w) => w.startSeconds)).toEqual([0]);
    expect(() => musicWindows(xorshiftNoise(40 * SR, 7, 0.5), 0.005)).toThrow(RangeError);
  });
});
