/**
 * Hubness reduction: a track's score for a video is standardised against the model's reference
 * queries (training videos' query embeddings, shipped in the model folder).
 *
 * A track whose windows lie where many queries point scores high for every video and would be
 * everyone's top suggestion. Ranking by (score - mean) / std, where mean and std are the track's
 * best-window scores over the reference queries, asks instead how unusually well this video fits
 * the track. Both depend on the track only, so they are computed once when it is embedded.
 * training/mrcmv/reference_scaling.py is the same computation in training.
 */

/** Below this, a track's spread of reference scores is noise; it also keeps the division finite. */
export const STD_FLOOR = 0.02;

export interface TrackScaling {
  mean: number;
  std: number;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Mean and (population) std over reference queries of the track's best-window score. */
export function trackScaling(
  references: readonly ArrayLike<number>[],
  windows: readonly ArrayLike<number>[],
): TrackScaling {
  if (references.length === 0 || windows.length === 0) throw new Error('trackScaling needs references and windows');
  const best = references.map((r) => Math.max(...windows.map((w) => dot(r, w))));
  const mean = best.reduce((s, v) => s + v, 0) / best.length;
  const variance = best.reduce((s, v) => s + (v - mean) ** 2, 0) / best.length;
  return { mean, std: Math.max(Math.sqrt(variance), STD_FLOOR) };
}

/** The ranking score: standardised when the track has a scaling, the raw cosine otherwise. */
export function scaledScore(raw: number, scaling: TrackScaling | null | undefined): number {
  return scaling ? (raw - scaling.mean) / scaling.std : raw;
}
