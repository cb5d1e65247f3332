/**
 * Retrieval metrics of the paper's Table 1 (§4.3): Recall@K (the share of queries whose ground
 * truth is ranked within the top K, in percent) and the median rank of the ground truth.
 */

export const RECALL_KS = [1, 5, 10, 25] as const;

/**
 * 1-based rank of candidate `truth` when candidates are sorted by descending score. Ties count
 * against the ground truth (a candidate with an equal score ranks before it), so a model that
 * gives every candidate the same score gets the worst rank, never a lucky first place.
 */
export function rankOf(scores: readonly number[], truth: number, alsoRight?: (i: number) => boolean): number {
  if (!Number.isInteger(truth) || truth < 0 || truth >= scores.length)
    throw new RangeError(`ground truth index ${truth} is outside ${scores.length} candidates`);
  const own = scores[truth]!;
  if (Number.isNaN(own)) throw new RangeError('the ground truth score is NaN');
  let rank = 1;
  for (let i = 0; i < scores.length; i++) if (i !== truth && !(scores[i]! < own) && !alsoRight?.(i)) rank++;
  return rank;
}

/** Percentage of ranks <= k. */
export function recallAt(ranks: readonly number[], k: number): number {
  if (ranks.length === 0) return Number.NaN;
  return (100 * ranks.filter((r) => r <= k).length) / ranks.length;
}

/** Median of the ranks (the mean of the two middle ones for an even count). */
export function medianRank(ranks: readonly number[]): number {
  if (ranks.length === 0) return Number.NaN;
  const sorted = [...ranks].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Expected Recall@K of a random ranking of `candidates` items (for the chance row). */
export function chanceRecallAt(candidates: number, k: number): number {
  return candidates <= 0 ? Number.NaN : (100 * Math.min(k, candidates)) / candidates;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`vector sizes differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** A track's score for a query as the serving path ranks it: the cosine of its best 32 s window. */
export function bestWindowScore(
  query: readonly number[],
  windows: readonly (readonly number[])[],
): { score: number; window: number } {
  if (windows.length === 0) throw new RangeError('a track needs at least one window embedding');
  let best = { score: -Infinity, window: 0 };
  windows.forEach((w, i) => {
    const score = cosine(query, w);
    if (score > best.score) best = { score, window: i };
  });
  return best;
}

export function euclidean(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`vector sizes differ: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

export interface RetrievalSummary {
  queries: number;
  candidates: number;
  recall: Record<`R@${number}`, number>;
  medianRank: number;
  meanRank: number;
}

export function summarize(
  ranks: readonly number[],
  candidates: number,
  ks: readonly number[] = RECALL_KS,
): RetrievalSummary {
  const recall: Record<string, number> = {};
  for (const k of ks) recall[`R@${k}`] = recallAt(ranks, k);
  return {
    queries: ranks.length,
    candidates,
    recall,
    medianRank: medianRank(ranks),
    meanRank: ranks.length === 0 ? Number.NaN : ranks.reduce((a, b) => a + b, 0) / ranks.length,
  };
}
