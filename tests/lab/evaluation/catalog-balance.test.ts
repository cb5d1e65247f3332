import { balanceOffsets, lowerOnlyOffsets } from '../../../lab/evaluation/catalog-balance';

/** How many references each track is the top-1 of, after adding the offsets. */
function top1Counts(scores: number[][], offsets: number[]): number[] {
  const counts = scores.map(() => 0);
  for (let r = 0; r < scores[0]!.length; r++) {
    let best = 0;
    for (let t = 1; t < scores.length; t++)
      if (scores[t]![r]! + offsets[t]! > scores[best]![r]! + offsets[best]!) best = t;
    counts[best]!++;
  }
  return counts;
}

/** Soft top-1 mass per track at `temperature`. */
function softShares(scores: number[][], offsets: number[], temperature: number): number[] {
  const shares = scores.map(() => 0);
  for (let r = 0; r < scores[0]!.length; r++) {
    const e = scores.map((row, t) => Math.exp((row[r]! + offsets[t]!) / temperature));
    const z = e.reduce((a, b) => a + b, 0);
    e.forEach((v, t) => (shares[t]! += v / z));
  }
  return shares;
}

describe('balanceOffsets', () => {
  // A hub: track 0 scores 1 above the others for every reference, and the rest differ by reference.
  const hub = [0, 1, 2, 3].map((t) =>
    Array.from({ length: 40 }, (_, r) => (t === 0 ? 1 : 0) + (r % 4 === t ? 0.5 : 0) + Math.sin(7 * r + t) * 0.1),
  );

  it('gives every track the same soft share of the references', () => {
    const offsets = balanceOffsets(hub, 0.5);
    for (const share of softShares(hub, offsets, 0.5)) expect(share).toBeCloseTo(10, 4);
    expect(offsets.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 10);
  });

  it('takes the hub down: without offsets it heads every reference, with them about its share', () => {
    expect(top1Counts(hub, [0, 0, 0, 0])).toEqual([40, 0, 0, 0]);
    const counts = top1Counts(hub, balanceOffsets(hub, 0.1));
    expect(Math.max(...counts)).toBeLessThanOrEqual(12);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(8);
  });

  it('leaves a catalog that is already even alone', () => {
    const even = [0, 1, 2].map((t) => Array.from({ length: 30 }, (_, r) => (r % 3 === t ? 1 : 0)));
    for (const o of balanceOffsets(even, 0.3)) expect(Math.abs(o)).toBeLessThan(1e-9);
  });

  it('does not overflow on large scores at a small temperature', () => {
    const big = hub.map((row) => row.map((s) => s * 100));
    const offsets = balanceOffsets(big, 0.05);
    expect(offsets.every(Number.isFinite)).toBe(true);
  });

  it('refuses one track, ragged rows and a temperature that is not positive', () => {
    expect(() => balanceOffsets([[1, 2]], 1)).toThrow('at least two tracks');
    expect(() => balanceOffsets([[1, 2], [1]], 1)).toThrow('same references');
    expect(() => balanceOffsets([[], []], 1)).toThrow('same references');
    expect(() => balanceOffsets(hub, 0)).toThrow('temperature');
    expect(() => balanceOffsets(hub, Number.NaN)).toThrow('temperature');
  });

  it('lowering only moves the hub down and leaves every other track where it was', () => {
    const even = balanceOffsets(hub, 0.1);
    const lower = lowerOnlyOffsets(even);
    expect(lower[0]).toBe(even[0]);
    expect(lower[0]).toBeLessThan(0);
    for (const [t, o] of lower.entries()) expect(o).toBe(Math.min(0, even[t]!));
    expect(top1Counts(hub, lower)[0]).toBeLessThan(40);
  });
});
