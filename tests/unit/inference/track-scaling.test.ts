import { STD_FLOOR, scaledScore, trackScaling } from '../../../src/inference/track-scaling';

describe('trackScaling', () => {
  it('is the mean and population std of each reference query best window score', () => {
    const refs = [
      [1, 0],
      [0, 1],
      [0.6, 0.8],
    ];
    const windows = [
      [1, 0],
      [0, 1],
    ];
    // best windows: 1, 1, 0.8
    const s = trackScaling(refs, windows);
    expect(s.mean).toBeCloseTo(2.8 / 3, 10);
    const m = 2.8 / 3;
    expect(s.std).toBeCloseTo(Math.sqrt(((1 - m) ** 2 * 2 + (0.8 - m) ** 2) / 3), 10);
  });

  it('floors the std so a track every reference fits equally does not divide by zero', () => {
    const s = trackScaling(
      [
        [1, 0],
        [1, 0],
      ],
      [[1, 0]],
    );
    expect(s).toEqual({ mean: 1, std: STD_FLOOR });
  });

  it('refuses empty inputs rather than returning NaN', () => {
    expect(() => trackScaling([], [[1, 0]])).toThrow(/references and windows/);
    expect(() => trackScaling([[1, 0]], [])).toThrow(/references and windows/);
  });
});

describe('scaledScore', () => {
  it('lets a specific match outrank a hub that scores high for everyone', () => {
    const hub = scaledScore(0.9, { mean: 0.88, std: 0.05 });
    const specific = scaledScore(0.5, { mean: 0.2, std: 0.1 });
    expect(specific).toBeGreaterThan(hub);
  });

  it('is the raw cosine for a track without scaling', () => {
    expect(scaledScore(0.42, null)).toBe(0.42);
    expect(scaledScore(0.42, undefined)).toBe(0.42);
  });
});
