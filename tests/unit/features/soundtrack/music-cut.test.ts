import { musicCut } from '../../../../src/features/soundtrack/music-cut';

/** Downbeats of a steady 120 BPM track (a bar every 2 s) from `first`, up to `trackSec`. */
const steady = (first: number, trackSec: number, barSec = 2) =>
  Array.from({ length: Math.floor((trackSec - first) / barSec) + 1 }, (_, i) => first + i * barSec);

describe('musicCut', () => {
  it('starts on the downbeat nearest the best window and lasts the whole bars closest to the video', () => {
    const downbeats = steady(0.25, 180);
    const cut = musicCut({ windowStartSec: 37.1, videoSec: 15.2, trackSec: 180, downbeats, tempoBpm: 120 })!;
    expect(downbeats).toContain(cut.startSec);
    expect(cut.startSec).toBeCloseTo(36.25, 6);
    expect(cut.bars).toBe(8);
    expect(cut.endSec - cut.startSec).toBeCloseTo(16, 6);
    expect(Math.abs(cut.endSec - cut.startSec - 15.2)).toBeLessThanOrEqual(cut.barSec);
    expect(cut.fadeOutSec).toBe(2);
    expect(cut.coversVideo).toBe(true);
  });

  it('ends on the detected downbeat when the tempo drifts', () => {
    // Bars stretch by 1 % each: the end is the 4th downbeat after the start, not start + 4 x 2 s.
    const downbeats = [0];
    for (let i = 1; i < 40; i++) downbeats.push(downbeats[i - 1]! + 2 * 1.01 ** i);
    const cut = musicCut({ windowStartSec: 0, videoSec: 8, trackSec: 200, downbeats, tempoBpm: 120 })!;
    expect(cut.startSec).toBe(0);
    expect(cut.endSec).toBe(downbeats[4]);
  });

  it('moves the start earlier so the cut fits in the track', () => {
    const downbeats = steady(0, 60);
    const cut = musicCut({ windowStartSec: 50, videoSec: 20, trackSec: 60, downbeats, tempoBpm: 120 })!;
    expect(cut.startSec).toBe(40);
    expect(cut.endSec).toBe(60);
  });

  it('ends with the track when the track is shorter than the video', () => {
    const cut = musicCut({ windowStartSec: 0, videoSec: 40, trackSec: 21, downbeats: steady(1, 21), tempoBpm: 120 })!;
    expect(cut.startSec).toBe(1);
    expect(cut.endSec).toBe(21);
    expect(cut.coversVideo).toBe(false);
  });

  it('gives no cut without a tempo or downbeats', () => {
    const base = { windowStartSec: 0, videoSec: 10, trackSec: 60 };
    expect(musicCut({ ...base, downbeats: [], tempoBpm: 120 })).toBeNull();
    expect(musicCut({ ...base, downbeats: [0, 2], tempoBpm: null })).toBeNull();
  });
});
