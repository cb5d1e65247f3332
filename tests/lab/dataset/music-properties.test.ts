import {
  analyzeMusic,
  energyPerSecond,
  estimateTempo,
  segmentProperties,
  SILENCE_DB,
} from '../../../lab/dataset/music-properties';

const SR = 16_000;

/** Short 2 kHz "ticks" every 60 / bpm seconds. */
function clickTrack(bpm: number, seconds: number): Float32Array {
  const out = new Float32Array(seconds * SR);
  const period = (60 / bpm) * SR;
  for (let beat = 0; beat * period < out.length; beat++) {
    const start = Math.round(beat * period);
    for (let i = 0; i < 0.02 * SR && start + i < out.length; i++) {
      out[start + i] = 0.8 * Math.exp(-i / (0.004 * SR)) * Math.sin((2 * Math.PI * 2000 * i) / SR);
    }
  }
  return out;
}

function tone(hz: number, seconds: number, amplitude: number): Float32Array {
  return Float32Array.from({ length: seconds * SR }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / SR));
}

describe('music properties', () => {
  it.each([120, 90, 150])('measures a %i BPM click track within 2 BPM', (bpm) => {
    expect(Math.abs(analyzeMusic(clickTrack(bpm, 12)).tempoBpm - bpm)).toBeLessThan(2);
  });

  it('gives a brighter signal a higher centroid', () => {
    const dull = analyzeMusic(tone(300, 3, 0.3));
    const bright = analyzeMusic(tone(3000, 3, 0.3));
    expect(dull.centroidHz).toHaveLength(3);
    for (let s = 0; s < 3; s++) expect(bright.centroidHz[s]!).toBeGreaterThan(2 * dull.centroidHz[s]!);
    expect(bright.centroidHz[1]!).toBeGreaterThan(2500);
    expect(bright.centroidHz[1]!).toBeLessThan(3500);
  });

  it('measures the level of each second in dBFS and floors silence', () => {
    const pcm = new Float32Array(3 * SR);
    pcm.set(tone(440, 1, 0.5), 0);
    pcm.set(tone(440, 1, 0.05), SR);
    const db = energyPerSecond(pcm, SR);
    expect(db[0]).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 1);
    expect(db[0]! - db[1]!).toBeCloseTo(20, 1);
    expect(db[2]).toBe(SILENCE_DB);
  });

  it('cuts a segment at the video offset, wrapping past the end like the training reader', () => {
    const pcm = new Float32Array(10 * SR);
    pcm.set(tone(440, 5, 0.02), 0);
    pcm.set(tone(440, 5, 0.5), 5 * SR);
    const analysis = analyzeMusic(pcm);
    const quiet = segmentProperties(analysis, 0, 4);
    const loud = segmentProperties(analysis, 5, 4);
    expect(loud.meanEnergyDb - quiet.meanEnergyDb).toBeGreaterThan(25);
    const wrapped = segmentProperties(analysis, 8, 4);
    expect(wrapped.energyDb.map((d) => d > -20)).toEqual([true, true, false, false]);
  });

  it('finds the beat grid of a segment that starts between beats', () => {
    const segment = segmentProperties(analyzeMusic(clickTrack(120, 12)), 0.2, 8);
    expect(Math.abs(segment.tempoBpm - 120)).toBeLessThan(2);
    // Clicks at 0, 0.5, 1.0 s...: seen from 0.2 s the first beat is 0.3 s in.
    expect(segment.beatPhaseSec).toBeCloseTo(0.3, 1);
  });

  it('returns the prior for an envelope too short to hold a beat', () => {
    expect(estimateTempo(new Float32Array(10))).toBe(120);
  });
});
