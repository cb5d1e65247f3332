import {
  binomialUpperTail,
  mannWhitneyU,
  twoProportionPValue,
  wilcoxonSignedRank,
} from '../../../src/common/hypothesis-tests';

describe('binomialUpperTail (one-sided sign test)', () => {
  it('sums the upper tail of Binomial(n, 1/2)', () => {
    expect(binomialUpperTail(15, 20)).toBeCloseTo(21700 / 1048576, 12);
    expect(binomialUpperTail(0, 7)).toBeCloseTo(1, 12);
    expect(binomialUpperTail(7, 7)).toBeCloseTo(1 / 128, 15);
    expect(binomialUpperTail(0, 0)).toBe(1);
  });

  it('stays finite for large n and rejects impossible counts', () => {
    expect(binomialUpperTail(600, 1000)).toBeGreaterThan(0);
    expect(binomialUpperTail(600, 1000)).toBeLessThan(1e-9);
    expect(() => binomialUpperTail(3, 2)).toThrow(RangeError);
    expect(() => binomialUpperTail(1.5, 2)).toThrow(RangeError);
  });
});

describe('wilcoxonSignedRank (one-sided, exact)', () => {
  it('enumerates the null distribution of W+', () => {
    // All five positive: only one sign pattern of 32 reaches W+ = 15.
    expect(wilcoxonSignedRank([1, 2, 3, 4, 5])).toEqual({ n: 5, wPlus: 15, pGreater: 1 / 32, exact: true });
    // W+ = 13: the patterns whose negative ranks sum to <= 2 ({}, {1}, {2}).
    expect(wilcoxonSignedRank([1, -2, 3, 4, 5]).pGreater).toBeCloseTo(3 / 32, 15);
    expect(wilcoxonSignedRank([-1, -2, -3, -4, -5]).pGreater).toBe(1);
  });

  it('gives tied |d| their mean rank and drops zero differences', () => {
    // |d| ranks: the three 1s share rank 2, the 2 gets rank 4; W+ = 2 + 2 + 4 = 8.
    // P(W+ >= 8): negative ranks summing to <= 2 ({} or one of the three 2s): 4 of 16.
    const r = wilcoxonSignedRank([1, 1, -1, 2, 0, 0]);
    expect(r).toEqual({ n: 4, wPlus: 8, pGreater: 4 / 16, exact: true });
    expect(wilcoxonSignedRank([0, 0])).toEqual({ n: 0, wPlus: 0, pGreater: 1, exact: true });
  });

  it('switches to the normal approximation for many differences, close to the exact value', () => {
    const d = Array.from({ length: 60 }, (_, i) => ((i * 7) % 11) - 4);
    const exact = wilcoxonSignedRank(d);
    const approx = wilcoxonSignedRank(d, 10);
    expect(exact.exact).toBe(true);
    expect(approx.exact).toBe(false);
    expect(approx.wPlus).toBe(exact.wPlus);
    expect(Math.abs(approx.pGreater - exact.pGreater)).toBeLessThan(0.01);
  });

  it('rejects non-finite differences', () => {
    expect(() => wilcoxonSignedRank([1, Infinity])).toThrow(RangeError);
    expect(() => wilcoxonSignedRank([Number.NaN])).toThrow(RangeError);
  });
});

describe('twoProportionPValue (pooled two-proportion z-test)', () => {
  it('matches the textbook values (scipy: 2 * norm.sf(z))', () => {
    expect(twoProportionPValue(30, 100, 45, 110)).toBeCloseTo(0.0993995, 5);
    expect(twoProportionPValue(5, 1000, 12, 1000)).toBeCloseTo(0.0881923, 5);
    expect(twoProportionPValue(45, 110, 30, 100)).toBeCloseTo(twoProportionPValue(30, 100, 45, 110), 12);
  });

  it('is 1 with nothing to compare and refuses impossible counts', () => {
    expect(twoProportionPValue(0, 0, 3, 10)).toBe(1);
    expect(twoProportionPValue(0, 10, 0, 20)).toBe(1);
    expect(() => twoProportionPValue(11, 10, 0, 10)).toThrow(RangeError);
    expect(() => twoProportionPValue(1.5, 10, 0, 10)).toThrow(RangeError);
  });
});

describe('mannWhitneyU (two-sided, normal approximation)', () => {
  it("matches scipy's mannwhitneyu(method='asymptotic'), ties included", () => {
    const a = [1, 2, 2, 3, 5, 8, 13, 1, 1, 4];
    const b = [2, 3, 3, 4, 6, 9, 12, 15, 20, 7, 7];
    const r = mannWhitneyU(a, b);
    expect(r.u).toBe(26.5);
    expect(r.p).toBeCloseTo(0.0476222, 4);
    const heavyTies = mannWhitneyU(
      [...Array(30).fill(1), ...Array(10).fill(2)],
      [...Array(20).fill(1), ...Array(20).fill(2)],
    );
    expect(heavyTies.u).toBe(600);
    expect(heavyTies.p).toBeCloseTo(0.0220686, 4);
  });

  it('is 1 for an empty sample or when everything ties', () => {
    expect(mannWhitneyU([], [1, 2]).p).toBe(1);
    expect(mannWhitneyU([3, 3], [3, 3, 3]).p).toBe(1);
    expect(() => mannWhitneyU([Number.NaN], [1])).toThrow(RangeError);
  });
});
