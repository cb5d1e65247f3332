import { GATE_ALPHA, gateResult } from '../../../src/jobs/handlers/model-evaluation';

describe('gateResult (the offline gate)', () => {
  it('summarises recall and rank and calls a clearly lower ranking worse', () => {
    const baseline = Array.from({ length: 30 }, (_, i) => 1 + (i % 3)); // ranks 1, 2, 3, ...
    const candidate = baseline.map((r) => r + 5);
    const result = gateResult(candidate, baseline);
    expect(result).toMatchObject({ n: 30, better: 0, worse: 30, ties: 0, verdict: 'worse' });
    expect(result.baseline).toMatchObject({ 'R@1': 33.3, 'R@5': 100, medianRank: 2, meanRank: 2 });
    expect(result.candidate).toMatchObject({ 'R@1': 0, 'R@5': 0, 'R@10': 100, medianRank: 7 });
    expect(result.pWorse).toBeLessThan(GATE_ALPHA);
    expect(result.pBetter).toBeGreaterThan(0.5);
    expect(gateResult(baseline, candidate).verdict).toBe('better');
  });

  it('finds no difference between identical rankings or a few mixed ones', () => {
    expect(gateResult([1, 4, 51], [1, 4, 51])).toMatchObject({ ties: 3, verdict: 'level', pWorse: 1, pBetter: 1 });
    expect(gateResult([1, 3, 2, 5], [2, 1, 3, 4]).verdict).toBe('level');
    expect(() => gateResult([1], [1, 2])).toThrow(RangeError);
  });
});
