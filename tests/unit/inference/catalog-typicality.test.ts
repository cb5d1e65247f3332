import {
  PROBE_STRIDE,
  catalogTypicality,
  standardise,
  typicalityOffsets,
} from '../../../src/inference/catalog-typicality';

/** A window whose first two numbers are a learned part and whose last two are the timing part. */
const w = (timing: [number, number], learned: [number, number] = [9, -9]) => [...learned, ...timing];

describe('catalogTypicality', () => {
  it("is the mean over the other tracks' probe windows of the best timing match", () => {
    const windows = [[w([1, 0]), w([0, 1])], [w([1, 0])], [w([0, 1]), w([0.5, 0.5])]];
    // stride 1: every window probes. Track 0's probes: [1,0] (track 1) -> best 1; [0,1] -> 1; [.5,.5] -> .5.
    // Track 1's: [1,0] -> 1, [0,1] -> 0, [0,1] -> 0, [.5,.5] -> .5. Track 2's: [1,0] -> .5, [0,1] -> 1, [1,0] -> .5.
    expect(catalogTypicality(windows, 2, 1)).toEqual([2.5 / 3, 1.5 / 4, 2 / 3]);
  });

  it('probes only every stride-th window, and never reads the learned part', () => {
    const other = Array.from({ length: 2 * PROBE_STRIDE }, (_, i) =>
      w(i % PROBE_STRIDE === 0 ? [1, 0] : [0, 1], [i, i]),
    );
    const t = catalogTypicality([[w([1, 0], [-5, 5])], other], 2);
    // Track 0 is probed by windows 0 and 4 of track 1, both [1, 0]; the [0, 1] windows are skipped.
    expect(t[0]).toBe(1);
  });

  it('refuses catalogs it cannot measure', () => {
    expect(() => catalogTypicality([[w([1, 0])]], 2)).toThrow('at least two tracks');
    expect(() => catalogTypicality([[w([1, 0])], []], 2)).toThrow('at least one window');
    expect(() => catalogTypicality([[w([1, 0])], [w([1, 0])]], 5)).toThrow('exceed the embedding');
    expect(() => catalogTypicality([[w([1, 0])], [w([1, 0])]], 0)).toThrow('positive integer');
    expect(() => catalogTypicality([[w([1, 0])], [w([1, 0])]], 2, 0)).toThrow('positive integer');
  });
});

describe('typicalityOffsets', () => {
  it('standardises over the catalog and moves each score by -lambda x that', () => {
    expect(standardise([1, 2, 3])).toEqual([-Math.sqrt(1.5), 0, Math.sqrt(1.5)]);
    const offsets = typicalityOffsets([1, 2, 3], -0.2);
    // A negative lambda lowers the least typical track and raises the most typical one.
    expect(offsets[0]).toBeCloseTo(-0.2 * Math.sqrt(1.5), 12);
    expect(offsets[2]).toBeCloseTo(0.2 * Math.sqrt(1.5), 12);
    expect(typicalityOffsets([0.4, 0.4], 3).every((o) => o === 0)).toBe(true);
    expect(() => typicalityOffsets([1, 2], Number.NaN)).toThrow('finite');
  });
});
