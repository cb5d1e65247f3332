import {
  bestWindowScore,
  chanceRecallAt,
  cosine,
  euclidean,
  medianRank,
  rankOf,
  recallAt,
  summarize,
} from '../../../lab/evaluation/ranking-metrics';

describe('rankOf', () => {
  it('is 1 + the number of candidates that score higher', () => {
    expect(rankOf([0.9, 0.1, 0.5], 0)).toBe(1);
    expect(rankOf([0.9, 0.1, 0.5], 2)).toBe(2);
    expect(rankOf([0.9, 0.1, 0.5], 1)).toBe(3);
  });

  it('counts ties against the ground truth', () => {
    expect(rankOf([0.5, 0.5, 0.5], 0)).toBe(3);
    expect(rankOf([0.2, 0.7, 0.7], 2)).toBe(2);
  });

  it('does not count candidates that are also right (segments of the same track)', () => {
    const track = ['a', 'b', 'a', 'c'];
    expect(rankOf([0.5, 0.4, 0.9, 0.6], 0, (i) => track[i] === 'a')).toBe(2);
    expect(rankOf([0.5, 0.4, 0.9, 0.6], 0)).toBe(3);
  });

  it('rejects an index outside the candidates and a NaN ground truth', () => {
    expect(() => rankOf([1, 2], 2)).toThrow(RangeError);
    expect(() => rankOf([1, 2], -1)).toThrow(RangeError);
    expect(() => rankOf([Number.NaN, 2], 0)).toThrow(RangeError);
  });
});

describe('recall and median rank', () => {
  const ranks = [1, 3, 7, 12, 30];

  it('R@K is the percentage of ranks within K', () => {
    expect(recallAt(ranks, 1)).toBe(20);
    expect(recallAt(ranks, 5)).toBe(40);
    expect(recallAt(ranks, 10)).toBe(60);
    expect(recallAt(ranks, 25)).toBe(80);
    expect(recallAt(ranks, 30)).toBe(100);
    expect(recallAt([], 1)).toBeNaN();
  });

  it('median of an odd and of an even count, independent of order', () => {
    expect(medianRank([7, 1, 30, 3, 12])).toBe(7);
    expect(medianRank([4, 1, 2, 10])).toBe(3);
    expect(medianRank([])).toBeNaN();
  });

  it('summarize gathers the Table 1 columns', () => {
    expect(summarize(ranks, 32)).toEqual({
      queries: 5,
      candidates: 32,
      recall: { 'R@1': 20, 'R@5': 40, 'R@10': 60, 'R@25': 80 },
      medianRank: 7,
      meanRank: 10.6,
    });
  });

  it('chance recall is K / candidates, capped at 100', () => {
    expect(chanceRecallAt(32, 1)).toBeCloseTo(3.125);
    expect(chanceRecallAt(32, 10)).toBeCloseTo(31.25);
    expect(chanceRecallAt(6, 10)).toBe(100);
  });

  it('a random ranking reaches about the chance recall', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const candidates = 20;
    const ranks = Array.from({ length: 4000 }, () => rankOf(Array.from({ length: candidates }, random), 0));
    expect(recallAt(ranks, 5)).toBeCloseTo(chanceRecallAt(candidates, 5), -1);
    expect(medianRank(ranks)).toBeGreaterThanOrEqual(9);
    expect(medianRank(ranks)).toBeLessThanOrEqual(12);
  });
});

describe('scores', () => {
  it('cosine and euclidean', () => {
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([2, 0], [1, 0])).toBe(1);
    expect(cosine([0, 0], [1, 0])).toBe(0);
    expect(euclidean([0, 0], [3, 4])).toBe(5);
    expect(() => cosine([1], [1, 2])).toThrow(RangeError);
  });

  it('a track scores its best window, as suggestBgm ranks', () => {
    const q = [1, 0];
    expect(
      bestWindowScore(q, [
        [0, 1],
        [Math.SQRT1_2, Math.SQRT1_2],
        [-1, 0],
      ]),
    ).toEqual({ score: cosine(q, [Math.SQRT1_2, Math.SQRT1_2]), window: 1 });
    expect(() => bestWindowScore(q, [])).toThrow(RangeError);
  });
});
