import { planItems } from '../../../lab/dataset/dataset-plan';
import { encodeNpy } from '../../../lab/dataset/npy';
import { TEST_FRACTION } from '../../../lab/dataset/presets';
import { Rng } from '../../../lab/dataset/prng';
import { mapPool } from '../../../lab/dataset/worker-pool';

describe('planItems', () => {
  const tracks = [300, 200, 45, 120, 250, 90];
  const items = planItems(
    tracks,
    { videos: 427, minVideoSec: 20, maxVideoSec: 60, testFraction: TEST_FRACTION },
    new Rng(3),
  );

  it("mirrors HoK400's size and split", () => {
    expect(items).toHaveLength(427);
    expect(items.filter((i) => i.split === 'test')).toHaveLength(162);
    expect(new Set(items.map((i) => i.videoId)).size).toBe(427);
  });

  it('uses every track, several videos per track, and keeps each video inside its track', () => {
    const perTrack = tracks.map((_, t) => items.filter((i) => i.trackIndex === t).length);
    expect(Math.min(...perTrack)).toBeGreaterThan(1);
    for (const i of items) {
      expect(i.durationSec % 0.5).toBe(0);
      expect(i.musicOffsetSec % 0.5).toBe(0);
      expect(i.durationSec).toBeGreaterThanOrEqual(20);
      expect(i.musicOffsetSec + i.durationSec).toBeLessThanOrEqual(tracks[i.trackIndex]!);
    }
    expect(items.some((i) => i.durationSec < 32)).toBe(true);
  });

  it('is a function of the seed', () => {
    const o = { videos: 20, minVideoSec: 20, maxVideoSec: 40, testFraction: TEST_FRACTION };
    expect(planItems(tracks, o, new Rng(9))).toEqual(planItems(tracks, o, new Rng(9)));
    expect(planItems(tracks, o, new Rng(9))).not.toEqual(planItems(tracks, o, new Rng(10)));
  });
});

describe('encodeNpy', () => {
  it('writes a 64-byte aligned version 1.0 header', () => {
    const buf = encodeNpy({ dtype: 'float32', data: new Float32Array(6) }, [2, 3]);
    const headerLength = buf.readUInt16LE(8);
    expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
    expect((10 + headerLength) % 64).toBe(0);
    expect(buf.toString('latin1', 10, 10 + headerLength)).toMatch(
      /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/,
    );
    expect(buf.length).toBe(10 + headerLength + 24);
    expect(() => encodeNpy({ dtype: 'uint8', data: new Uint8Array(5) }, [2, 3])).toThrow(RangeError);
  });
});

describe('mapPool', () => {
  it('keeps the input order and never runs more than `concurrency` at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapPool([30, 5, 20, 1, 10], 2, async (ms, i) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return i * 10;
    });
    expect(out).toEqual([0, 10, 20, 30, 40]);
    expect(peak).toBe(2);
  });

  it('stops starting work after a failure and throws it', async () => {
    const started: number[] = [];
    await expect(
      mapPool([1, 2, 3, 4], 1, (n) => {
        started.push(n);
        return n === 2 ? Promise.reject(new Error('boom')) : Promise.resolve(n);
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });
});
