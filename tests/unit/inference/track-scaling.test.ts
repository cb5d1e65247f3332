import {
  logMeanExp,
  MAX_SOFTMAX_BETA,
  STD_FLOOR,
  scaledScore,
  trackScaling,
} from '../../../src/inference/track-scaling';

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

describe('trackScaling with a sharper centre (inverted softmax)', () => {
  const refs = [
    [1, 0],
    [0, 1],
    [0.6, 0.8],
    [0.8, 0.6],
  ];
  const windows = [[1, 0]]; // reference scores 1, 0, 0.6, 0.8

  it('is the mean at beta 0 and moves towards the best reference score as beta grows', () => {
    const centres = [0, 1, 5, 20, 100].map((beta) => trackScaling(refs, windows, beta).mean);
    expect(centres[0]).toBeCloseTo(0.6, 10);
    for (let i = 1; i < centres.length; i++) expect(centres[i]).toBeGreaterThan(centres[i - 1]!);
    expect(centres.at(-1)).toBeLessThan(1);
    expect(centres.at(-1)).toBeGreaterThan(0.98);
    // The spread is the same at every beta: only the centre moves.
    expect(trackScaling(refs, windows, 20).std).toBeCloseTo(trackScaling(refs, windows, 0).std, 12);
  });

  it('is (1 / beta) log mean exp(beta x), finite at the largest beta', () => {
    expect(logMeanExp([0.2, 0.4], 3)).toBeCloseTo(Math.log((Math.exp(0.6) + Math.exp(1.2)) / 2) / 3, 12);
    expect(logMeanExp([0.9, 0.95, 1], MAX_SOFTMAX_BETA)).toBeCloseTo(1 - Math.log(3) / MAX_SOFTMAX_BETA, 6);
  });

  it('lets a specific track outrank a hub whose closest references all score high, where the mean does not', () => {
    // The hub: a group of references (its neighbourhood) scores 0.9, the rest 0.5. The specific
    // track's references spread evenly below 0.55.
    const hubScores = [0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    const specificScores = [0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2];
    const asRefs = (scores: number[]) => scores.map((s) => [s, Math.sqrt(1 - s * s)]);
    const rank = (beta: number) => {
      const hub = scaledScore(0.95, trackScaling(asRefs(hubScores), [[1, 0]], beta));
      const specific = scaledScore(0.6, trackScaling(asRefs(specificScores), [[1, 0]], beta));
      return specific > hub ? 'specific' : 'hub';
    };
    expect(rank(0)).toBe('hub');
    expect(rank(20)).toBe('specific');
  });

  it('refuses a beta outside [0, MAX_SOFTMAX_BETA]', () => {
    expect(() => trackScaling(refs, windows, -1)).toThrow(/beta/);
    expect(() => trackScaling(refs, windows, MAX_SOFTMAX_BETA + 1)).toThrow(/beta/);
    expect(() => trackScaling(refs, windows, Number.NaN)).toThrow(/beta/);
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

describe('scaledScore', () => {
  it('adds the catalog-typicality offset after standardising, and leaves raw scores alone', () => {
    expect(scaledScore(0.5, { mean: 0.3, std: 0.1 })).toBeCloseTo(2, 12);
    expect(scaledScore(0.5, { mean: 0.3, std: 0.1, offset: -0.25 })).toBeCloseTo(1.75, 12);
    expect(scaledScore(0.5, null)).toBe(0.5);
  });
});
