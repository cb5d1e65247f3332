import { coarseLearnedWindows, timingBins } from '../../../lab/evaluation/coarse-learned';

describe('coarse learned windows (a simulation of cheaper window storage)', () => {
  // Window k: learned part [10k, 10k + 1], timing part [k].
  const windows = Array.from({ length: 7 }, (_, k) => [10 * k, 10 * k + 1, k]);

  it('takes the learned part from the last coarse window and keeps each window its own timing', () => {
    const out = coarseLearnedWindows(windows, 1, 4, 1);
    expect(out.map((w) => w[0])).toEqual([0, 0, 0, 0, 40, 40, 40]);
    expect(out.map((w) => w[2])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(out[5]).toEqual([40, 41, 5]);
  });

  it('is the identity at the windows own spacing', () => {
    expect(coarseLearnedWindows(windows, 2, 2, 1)).toEqual(windows);
  });

  it('refuses a spacing that is not a multiple of the hop, and a head that leaves no learned part', () => {
    expect(() => coarseLearnedWindows(windows, 2, 3, 1)).toThrow(RangeError);
    expect(() => coarseLearnedWindows(windows, 1, 4, 3)).toThrow(RangeError);
  });

  it('reads the timing head size from the manifest, and nothing from a model without one', () => {
    expect(timingBins({ timing: { weight: 0.3, bins: 31 } })).toBe(31);
    expect(timingBins({ variant: 'full' })).toBeUndefined();
    expect(timingBins(undefined)).toBeUndefined();
  });
});
