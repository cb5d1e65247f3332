import { EligibleTracks } from '../../../../../src/modules/suggestion/candidates/eligible-tracks';
import { TrackLabels } from '../../../../../src/modules/suggestion/candidates/track-labels';

describe('TrackLabels', () => {
  it('gives each track one label for good, in order of first sight', () => {
    const labels = new TrackLabels();
    expect([labels.labelOf('a'), labels.labelOf('b'), labels.labelOf('a')]).toEqual([0, 1, 0]);
    expect(labels.trackIdOf(1)).toBe('b');
    expect(labels.size).toBe(2);
    expect(() => labels.trackIdOf(2)).toThrow('no track has label 2');
  });
});

describe('EligibleTracks', () => {
  const bits = Uint8Array.from([1, 0, 1]);

  it('lets through the labels it was read with, and none it has never seen', () => {
    const set = new EligibleTracks('7', null, bits);
    expect([0, 1, 2, 3].map((l) => set.has(l))).toEqual([true, false, true, false]);
  });

  it('is current only at its catalog counter and before the next license boundary', () => {
    const set = new EligibleTracks('7', 1000, bits);
    expect(set.currentAt('7', 999)).toBe(true);
    expect(set.currentAt('7', 1000)).toBe(false);
    expect(set.currentAt('8', 0)).toBe(false);
    expect(new EligibleTracks('7', null, bits).currentAt('7', Number.MAX_SAFE_INTEGER)).toBe(true);
  });
});
