import { bradleyTerry, signTestPValue, wilsonInterval } from '../../../../src/modules/experiment/statistics';

describe('wilsonInterval', () => {
  it('matches the hand-computed 95% interval for 30 of 50', () => {
    // p = 0.6, z² = 3.8415, z²/n = 0.07683: centre 0.63841/1.07683 = 0.59286,
    // half-width (1.96/1.07683) * sqrt(0.0048 + 0.000384) = 0.13105.
    const { lower, upper } = wilsonInterval(30, 50);
    expect(lower).toBeCloseTo(0.4618, 4);
    expect(upper).toBeCloseTo(0.7239, 4);
  });

  it('stays inside [0, 1] at the extremes, unlike the normal approximation', () => {
    // 0 of 10: [0, z²/(n + z²)] = [0, 3.8415/13.8415].
    expect(wilsonInterval(0, 10).lower).toBe(0);
    expect(wilsonInterval(0, 10).upper).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10).lower).toBeCloseTo(1 - 0.2775, 4);
    expect(wilsonInterval(10, 10).upper).toBeCloseTo(1, 12);
  });

  it('knows nothing from no votes', () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
  });
});

describe('signTestPValue (exact two-sided binomial, p = 1/2)', () => {
  it('gives 0.0414 for 15 of 20', () => {
    // P(X >= 15) = (15504 + 4845 + 1140 + 190 + 20 + 1) / 2^20 = 21700 / 1048576; doubled.
    expect(signTestPValue(15, 20)).toBeCloseTo((2 * 21700) / 1048576, 12);
    expect(signTestPValue(15, 20)).toBeCloseTo(0.0414, 4);
  });

  it('is symmetric, 1 at the centre or with no votes, and exact at the extremes', () => {
    expect(signTestPValue(5, 20)).toBeCloseTo(signTestPValue(15, 20), 12);
    expect(signTestPValue(10, 20)).toBe(1);
    expect(signTestPValue(0, 0)).toBe(1);
    expect(signTestPValue(20, 20)).toBeCloseTo(2 / 2 ** 20, 15);
    expect(signTestPValue(1, 1)).toBe(1);
  });

  it('stays accurate for large n (log-space sums)', () => {
    // R: binom.test(60, 100)$p.value = 0.05688793
    expect(signTestPValue(60, 100)).toBeCloseTo(0.05688793, 7);
    expect(signTestPValue(5000, 10_000)).toBeCloseTo(1, 10);
    expect(signTestPValue(6000, 10_000)).toBeLessThan(1e-80);
  });

  it('refuses impossible counts', () => {
    expect(() => signTestPValue(3, 2)).toThrow(RangeError);
    expect(() => signTestPValue(1.5, 2)).toThrow(RangeError);
  });
});

describe('bradleyTerry (MM, Hunter 2004)', () => {
  it('recovers strengths 4:2:1 from data the model fits exactly (hand-solved)', () => {
    // With g = (4, 2, 1)/7: P(A>B) = 2/3, P(B>C) = 2/3, P(A>C) = 4/5. Wins A-B 2:1 (3 games),
    // B-C 2:1 (3), A-C 4:1 (5) make each score equation W_i = sum_j N_ij g_i/(g_i+g_j) hold:
    // A: 6 = 3*2/3 + 5*4/5; B: 3 = 3*1/3 + 3*2/3; C: 2 = 3*1/3 + 5*1/5.
    const wins = [
      [0, 2, 4],
      [1, 0, 2],
      [1, 1, 0],
    ];
    const fit = bradleyTerry(wins);
    expect(fit.converged).toBe(true);
    expect(fit.strengths[0]).toBeCloseTo(4 / 7, 8);
    expect(fit.strengths[1]).toBeCloseTo(2 / 7, 8);
    expect(fit.strengths[2]).toBeCloseTo(1 / 7, 8);
  });

  it('gives the win ratio for two items and equal strengths for a balanced cycle', () => {
    const two = bradleyTerry([
      [0, 3],
      [1, 0],
    ]);
    expect(two.strengths[0]).toBeCloseTo(0.75, 9);
    const cycle = bradleyTerry([
      [0, 2, 1],
      [1, 0, 2],
      [2, 1, 0],
    ]);
    for (const s of cycle.strengths) expect(s).toBeCloseTo(1 / 3, 9);
  });

  it('takes fractional (half) wins and leaves never-compared items out', () => {
    // A beat B once and they tied twice: as wins, A 2 (1 + 2 halves), B 1 (2 halves): ratio 2.
    const fit = bradleyTerry([
      [0, 2, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    expect(fit.strengths[0]).toBeCloseTo(2 / 3, 9);
    expect(fit.strengths[1]).toBeCloseTo(1 / 3, 9);
    expect(fit.strengths[2]).toBeNull();
    expect(bradleyTerry([]).strengths).toEqual([]);
    expect(() =>
      bradleyTerry([
        [0, -1],
        [0, 0],
      ]),
    ).toThrow(RangeError);
  });
});
