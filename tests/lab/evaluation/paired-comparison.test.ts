import { comparePairedRanks } from '../../../lab/evaluation/paired-comparison';

describe('comparePairedRanks', () => {
  it('counts the queries where the first model ranks the truth better, worse or the same', () => {
    const c = comparePairedRanks([1, 2, 3, 4, 5, 6], [3, 2, 9, 1, 7, 6]);
    expect(c).toMatchObject({ queries: 6, better: 3, worse: 1, ties: 2 });
    // Sign test: 3 of 4 decisive queries: P(X >= 3 | 4) = 5/16.
    expect(c.signP).toBeCloseTo(5 / 16, 12);
    // Differences 2, 6, -3, 2: |d| ranks 1.5, 4, 3, 1.5; W+ = 7; P(W+ >= 7) = 5/16.
    expect(c.wilcoxonP).toBeCloseTo(5 / 16, 12);
  });

  it('is significant only when the first model is better on most queries', () => {
    const a = Array.from({ length: 20 }, () => 1);
    const b = Array.from({ length: 20 }, (_, i) => 2 + (i % 5));
    expect(comparePairedRanks(a, b).wilcoxonP).toBeLessThan(1e-5);
    expect(comparePairedRanks(b, a).wilcoxonP).toBeGreaterThan(0.99);
    expect(comparePairedRanks(a, a)).toMatchObject({ better: 0, worse: 0, ties: 20, signP: 1, wilcoxonP: 1 });
  });

  it('needs the same queries on both sides', () => {
    expect(() => comparePairedRanks([1, 2], [1])).toThrow(RangeError);
  });
});
