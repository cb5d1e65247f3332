import type { Rng } from './prng';

export type Split = 'train' | 'test';

export interface PlannedItem {
  videoId: string;
  trackIndex: number;
  split: Split;
  durationSec: number;
  musicOffsetSec: number;
}

export interface PlanOptions {
  videos: number;
  minVideoSec: number;
  maxVideoSec: number;
  testFraction: number;
  /** Popularity skew: track of rank r is chosen with weight 1 / (r + 1)^zipf. */
  zipf?: number;
}

/** Clips start on the 0.5 s frame grid, so durations and offsets are kept on it too. */
const GRID = 0.5;
const onGrid = (x: number) => Math.floor(x / GRID) * GRID;

/**
 * Which track each video uses, for how long and from where, and its split. Every track is used
 * at least once (when there are enough videos); the rest follow a skewed popularity, as a few
 * songs are used by many videos in real apps.
 */
export function planItems(trackDurationsSec: readonly number[], o: PlanOptions, rng: Rng): PlannedItem[] {
  const tracks = trackDurationsSec.length;
  if (tracks === 0) throw new RangeError('no tracks to plan with');
  const popularity = rng.shuffle(Array.from({ length: tracks }, (_, i) => i));
  const weights = popularity.map((_, rank) => 1 / (rank + 1) ** (o.zipf ?? 0.7));
  const assignment: number[] = [];
  for (let v = 0; v < o.videos; v++) {
    assignment.push(v < tracks ? (popularity[v] ?? 0) : (popularity[rng.weighted(weights)] ?? 0));
  }
  const order = rng.shuffle(assignment);
  // A fraction of 1 makes a test-only set (held-out music); below 1 at least one video trains.
  const testCount = o.testFraction >= 1 ? o.videos : Math.min(o.videos - 1, Math.round(o.videos * o.testFraction));
  const testSet = new Set(rng.shuffle(Array.from({ length: o.videos }, (_, i) => i)).slice(0, testCount));
  const width = Math.max(4, String(o.videos - 1).length);
  return order.map((trackIndex, i) => {
    const trackSec = trackDurationsSec[trackIndex] ?? 0;
    const durationSec = Math.min(onGrid(rng.uniform(o.minVideoSec, o.maxVideoSec + GRID)), onGrid(trackSec));
    return {
      videoId: `v${String(i).padStart(width, '0')}`,
      trackIndex,
      split: testSet.has(i) ? 'test' : 'train',
      durationSec,
      musicOffsetSec: onGrid(rng.uniform(0, Math.max(0, trackSec - durationSec))),
    };
  });
}
