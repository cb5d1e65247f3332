/**
 * Hubness reduction: a track's score for a video is standardised against the model's reference
 * queries (training videos' query embeddings, shipped in the model folder).
 *
 * A track whose windows lie where many queries point scores high for every video and would be
 * everyone's top suggestion. Ranking by (score - centre) / std, where centre and std summarise the
 * track's best-window scores over the reference queries, asks instead how unusually well this
 * video fits the track. Both depend on the track only, so they are computed once when it is
 * embedded. training/mrcmv/reference_scaling.py is the same computation in training.
 *
 * The centre is the log-mean-exp of the reference scores at sharpness beta (the manifest's
 * `referenceSoftmaxBeta`): beta 0 is their mean (plain standardisation); a larger beta moves it
 * towards the track's best reference scores, which is the inverted softmax of Smith et al. (2017)
 * and querybank normalisation (Bogolin et al., 2022). A hub is the nearest track of many queries,
 * so what marks it is how high its closest references score, not how high they score on average.
 */

/** Below this, a track's spread of reference scores is noise; it also keeps the division finite. */
export const STD_FLOOR = 0.02;

/** Sharpness at which the centre is effectively the best reference score (exp would overflow later). */
export const MAX_SOFTMAX_BETA = 1000;

export interface TrackScaling {
  /** The centre (named mean for the stored column; it is the mean when beta is 0). */
  mean: number;
  std: number;
  /** Added after standardising: the track's catalog-typicality offset (catalog-typicality.ts); 0 when absent. */
  offset?: number;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** (1 / beta) log mean exp(beta x), computed from the maximum so it never overflows; the mean at beta 0. */
export function logMeanExp(values: readonly number[], beta: number): number {
  if (beta === 0) return values.reduce((s, v) => s + v, 0) / values.length;
  const top = Math.max(...values);
  const sum = values.reduce((s, v) => s + Math.exp(beta * (v - top)), 0);
  return top + Math.log(sum / values.length) / beta;
}

/** The track's best-window score for each reference query. */
export function referenceBestScores(
  references: readonly ArrayLike<number>[],
  windows: readonly ArrayLike<number>[],
): number[] {
  if (references.length === 0 || windows.length === 0) throw new Error('trackScaling needs references and windows');
  return references.map((r) => Math.max(...windows.map((w) => dot(r, w))));
}

/** Centre (log-mean-exp at `beta`) and population std, floored, of a track's reference scores. */
export function scalingFromScores(best: readonly number[], beta = 0): TrackScaling {
  if (best.length === 0) throw new Error('a track scaling needs at least one score');
  if (!(beta >= 0 && beta <= MAX_SOFTMAX_BETA)) throw new Error(`beta must be in [0, ${MAX_SOFTMAX_BETA}]`);
  const mean = best.reduce((s, v) => s + v, 0) / best.length;
  const variance = best.reduce((s, v) => s + (v - mean) ** 2, 0) / best.length;
  return { mean: logMeanExp(best, beta), std: Math.max(Math.sqrt(variance), STD_FLOOR) };
}

/**
 * Centre (log-mean-exp at `beta`, the mean by default) and population std over reference queries
 * of the track's best-window score.
 */
export function trackScaling(
  references: readonly ArrayLike<number>[],
  windows: readonly ArrayLike<number>[],
  beta = 0,
): TrackScaling {
  return scalingFromScores(referenceBestScores(references, windows), beta);
}

/** The ranking score: standardised when the track has a scaling, the raw cosine otherwise. */
export function scaledScore(raw: number, scaling: TrackScaling | null | undefined): number {
  return scaling ? (raw - scaling.mean) / scaling.std + (scaling.offset ?? 0) : raw;
}
