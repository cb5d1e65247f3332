/**
 * Exposure balance over a catalog (lab only so far: `npm run eval -- --balance-temperature T`).
 *
 * Per-track standardisation (track-scaling.ts) asks each track alone how unusual a video's score
 * is. It does not see the competition: on music the model never saw, a few tracks still head most
 * rankings (2.7-3.4x their fair share of top-1 places in docs/RESULTS.md). This computes one offset
 * per catalog track such that, over the model's reference queries, every track of the catalog is
 * the soft top-1 (softmax over the catalog at `temperature`) of the same share of queries:
 * Sinkhorn-Knopp scaling of the reference x track matrix to uniform marginals (Cuturi 2013; the
 * dual softmax of Cheng et al. 2021 is its first step). The offset depends on the catalog and the
 * reference queries, not on the video, so serving would keep it per (model version, catalog).
 */

import { logMeanExp } from '../../src/inference/track-scaling';

/** Offsets that move a uniform marginal by less than this are converged. */
const TOLERANCE = 1e-6;

/** log sum exp, from serving's overflow-safe log-mean-exp. */
const logSumExp = (values: readonly number[]) => logMeanExp(values, 1) + Math.log(values.length);

/**
 * `scores[track][reference]`: each catalog track's ranking score for each reference query (as the
 * ranking would score it, standardised or not). Returns an offset per track, mean zero, to add to
 * the track's ranking score. One track, or a temperature that is not positive, is refused.
 */
export function balanceOffsets(
  scores: readonly (readonly number[])[],
  temperature: number,
  maxIterations = 200,
): number[] {
  const tracks = scores.length;
  if (tracks < 2) throw new Error('balancing needs at least two tracks');
  const refs = scores[0]!.length;
  if (refs === 0 || scores.some((row) => row.length !== refs)) throw new Error('every track needs the same references');
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error('temperature must be positive');
  const logK = scores.map((row) => row.map((s) => s / temperature));
  const f = new Float64Array(tracks); // track log-potentials
  const g = new Float64Array(refs); // reference log-potentials
  const column = new Array<number>(refs).fill(0);
  const row = new Array<number>(tracks).fill(0);
  // Each reference spreads a mass of 1 over the catalog; each track should receive refs / tracks.
  const target = Math.log(refs / tracks);
  for (let it = 0; it < maxIterations; it++) {
    for (let r = 0; r < refs; r++) {
      for (let t = 0; t < tracks; t++) row[t] = logK[t]![r]! + f[t]!;
      g[r] = -logSumExp(row);
    }
    let moved = 0;
    for (let t = 0; t < tracks; t++) {
      for (let r = 0; r < refs; r++) column[r] = logK[t]![r]! + g[r]!;
      const next = target - logSumExp(column);
      moved = Math.max(moved, Math.abs(next - f[t]!));
      f[t] = next;
    }
    if (moved < TOLERANCE) break;
  }
  const offsets = Array.from(f, (v) => v * temperature);
  const centre = offsets.reduce((s, v) => s + v, 0) / tracks;
  return offsets.map((v) => v - centre);
}

/**
 * The lowering half of the balance: tracks that head more than their share of the references keep
 * their (negative) offset, the others get none, so no rarely picked track is pushed up past a
 * video's own track.
 */
export function lowerOnlyOffsets(offsets: readonly number[]): number[] {
  return offsets.map((o) => Math.min(0, o));
}
