/**
 * Exact tests for paired comparisons (pure functions): the binomial tail behind the sign test,
 * and the Wilcoxon signed-rank test (Wilcoxon 1945), used to say whether one model ranks the
 * ground truth better than another on the same queries.
 */

/**
 * P(X >= k) for X ~ Binomial(n, 1/2): the one-sided p-value of the exact sign test with k
 * successes in n trials. Summed from log-probabilities, so large n neither overflows nor
 * underflows the coefficients.
 */
export function binomialUpperTail(k: number, n: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || k < 0 || k > n) {
    throw new RangeError(`need integers 0 <= k <= n, got k=${k}, n=${n}`);
  }
  // log P(X = i) for i = 0..n under Binomial(n, 1/2).
  let logPmf = -n * Math.LN2;
  let tail = 0;
  for (let i = 0; i <= n; i++) {
    if (i >= k) tail += Math.exp(logPmf);
    logPmf += Math.log((n - i) / (i + 1));
  }
  return Math.min(1, tail);
}

/** Above this many non-zero differences the null distribution is approximated by a normal one. */
export const WILCOXON_EXACT_MAX = 400;

export interface SignedRankResult {
  /** Non-zero differences (zeros are dropped, Wilcoxon's own treatment). */
  n: number;
  /** Sum of the ranks of |d| over the positive differences; tied |d| share their mean rank. */
  wPlus: number;
  /** One-sided p-value of H1 "differences tend to be positive": P(W+ >= observed) under H0. */
  pGreater: number;
  exact: boolean;
}

/**
 * One-sided Wilcoxon signed-rank test of `differences`. The null distribution is enumerated
 * exactly (conditional on the observed ranks, so ties are handled exactly too) up to
 * `exactMax` differences, by dynamic programming over twice the rank sums (mean ranks of
 * ties are halves); beyond that the normal approximation with tie and continuity corrections.
 */
export function wilcoxonSignedRank(differences: readonly number[], exactMax = WILCOXON_EXACT_MAX): SignedRankResult {
  if (differences.some((d) => !Number.isFinite(d))) throw new RangeError('differences must be finite numbers');
  const nonZero = differences.filter((d) => d !== 0);
  const n = nonZero.length;
  if (n === 0) return { n, wPlus: 0, pGreater: 1, exact: true };
  const order = nonZero.map((d, i) => ({ abs: Math.abs(d), i })).sort((a, b) => a.abs - b.abs);
  const doubledRank = new Array<number>(n);
  let tieTerm = 0; // sum of (t^3 - t) over groups of tied |d|
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && order[end + 1]!.abs === order[start]!.abs) end++;
    const t = end - start + 1;
    tieTerm += t * t * t - t;
    for (let j = start; j <= end; j++) doubledRank[order[j]!.i] = start + end + 2; // 2 x mean of ranks start+1..end+1
    start = end + 1;
  }
  const observed2 = nonZero.reduce((sum, d, i) => (d > 0 ? sum + doubledRank[i]! : sum), 0);
  const wPlus = observed2 / 2;
  if (n > exactMax) {
    const mean = (n * (n + 1)) / 4;
    const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
    const z = (wPlus - 0.5 - mean) / Math.sqrt(variance);
    return { n, wPlus, pGreater: upperNormalTail(z), exact: false };
  }
  // dist[s] = P(twice W+ = s) under H0: each rank's sign is + with probability 1/2.
  let dist = new Float64Array(1).fill(1);
  for (const r of doubledRank) {
    const next = new Float64Array(dist.length + r);
    for (let s = 0; s < dist.length; s++) {
      const p = dist[s]! / 2;
      if (p === 0) continue;
      next[s] = next[s]! + p;
      next[s + r] = next[s + r]! + p;
    }
    dist = next;
  }
  let pGreater = 0;
  for (let s = observed2; s < dist.length; s++) pGreater += dist[s]!;
  return { n, wPlus, pGreater: Math.min(1, pGreater), exact: true };
}

/** P(Z >= z) for a standard normal Z (Abramowitz-Stegun 7.1.26 erfc, |error| < 1.5e-7). */
function upperNormalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}
