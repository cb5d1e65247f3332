import { LEVEL_BINS, SecondLevels, SILENCE_DB } from '../../../src/features/second-levels';
import { musicWindows } from '../../../src/features/clip';

const RATE = 16000;

/** A 60 Hz sine (below the log-mel's lowest band) whose amplitude is `amplitudes[s]` in second s. */
function bass(amplitudes: number[]): Float32Array {
  const pcm = new Float32Array(amplitudes.length * RATE);
  for (let i = 0; i < pcm.length; i++)
    pcm[i] = amplitudes[Math.floor(i / RATE)]! * Math.sin((2 * Math.PI * 60 * i) / RATE);
  return pcm;
}

const db = (amplitude: number) => 20 * Math.log10(amplitude / Math.SQRT2);

describe('SecondLevels', () => {
  it('measures the full-band RMS of each second from any start', () => {
    const amplitudes = Array.from({ length: 40 }, (_, s) => 0.05 + 0.02 * (s % 7));
    const levels = new SecondLevels(bass(amplitudes));
    const clip = levels.clip(3);
    expect(clip).toHaveLength(LEVEL_BINS);
    clip.forEach((level, b) => expect(level).toBeCloseTo(db(amplitudes[3 + b]!), 2));
  });

  it('repeats a clip from its own start past the end of the audio, as the log-mel does', () => {
    const levels = new SecondLevels(bass([0.5, 0.1, 0.5, 0.25, 0.25]));
    // From second 3: 0.25, 0.25, then the clip loops back to its own start (second 3), not to 0.
    expect(Array.from(levels.clip(3, 4)).map((x) => Math.round(x))).toEqual([-15, -15, -15, -15]);
    expect(levels.clip(0, 6)[5]).toBeCloseTo(db(0.5), 2);
  });

  it('agrees with a direct sum from starts off the 10 ms grid and in a partial last block', () => {
    const pcm = Float32Array.from({ length: 3 * RATE + 77 }, (_, i) => Math.sin(i * 0.37) * (0.1 + (i % 1000) / 2000));
    const direct = (from: number, to: number) => {
      let s = 0;
      for (let i = from; i < to; i++) s += pcm[(from + ((i - from) % (pcm.length - from))) % pcm.length]! ** 2;
      return 10 * Math.log10(s / RATE);
    };
    const levels = new SecondLevels(pcm);
    for (const start of [0, 0.0123, 1.5, 2.00005]) {
      const first = Math.round(start * RATE);
      const got = levels.clip(start, 2);
      expect(got[0]).toBeCloseTo(direct(first, first + RATE), 4);
    }
  });

  it('floors silence and refuses a start outside the audio', () => {
    const levels = new SecondLevels(new Float32Array(2 * RATE));
    expect(Array.from(levels.clip(0, 2))).toEqual([SILENCE_DB, SILENCE_DB]);
    expect(() => levels.clip(2)).toThrow(RangeError);
    expect(() => new SecondLevels(new Float32Array(0)).clip(0)).toThrow(RangeError);
  });

  it('gives every music window the levels of its own seconds', () => {
    const amplitudes = Array.from({ length: 40 }, (_, s) => 0.03 + 0.01 * s);
    const windows = musicWindows(bass(amplitudes), 2);
    expect(windows.map((w) => w.startSeconds)).toEqual([0, 2, 4, 6, 8]);
    for (const w of windows) expect(w.levelsDb()[0]).toBeCloseTo(db(amplitudes[w.startSeconds]!), 2);
    const aligned = musicWindows(bass(amplitudes));
    expect(aligned[1]!.levelsDb()[0]).toBeCloseTo(db(amplitudes[32]!), 2);
  });
});
