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

/*
 * Wilson score interval for a proportion (Wilson 1927): better coverage than the normal
 * approximation for the small samples and extreme shares of rater studies and canaries.
 */
/** z for a two-sided 95% interval: the 0.975 quantile of the standard normal. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Wilson score interval of `successes` out of `n` (as fractions in [0, 1]). With no observations
 * nothing is known, so the interval is the whole [0, 1].
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): Interval {
  if (!(n > 0)) return { lower: 0, upper: 1 };
  if (successes < 0 || successes > n) throw new RangeError(`successes ${successes} outside [0, ${n}]`);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, center - half), upper: Math.min(1, center + half) };
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

/**
 * Two-sided p-value of the two-proportion z-test (pooled variance) of H0 "both groups have the
 * same rate", for `x1` of `n1` against `x2` of `n2`. 1 when either group is empty or the pooled
 * rate is 0 or 1 (no variation: nothing to tell apart).
 */
export function twoProportionPValue(x1: number, n1: number, x2: number, n2: number): number {
  for (const [x, n] of [
    [x1, n1],
    [x2, n2],
  ] as const)
    if (!Number.isInteger(x) || !Number.isInteger(n) || x < 0 || x > n)
      throw new RangeError(`need integers 0 <= x <= n, got x=${x}, n=${n}`);
  if (n1 === 0 || n2 === 0) return 1;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 1;
  return Math.min(1, 2 * upperNormalTail(Math.abs(x1 / n1 - x2 / n2) / se));
}

/**
 * Two-sided Mann-Whitney U test (Wilcoxon rank-sum) of H0 "neither sample tends to be larger",
 * by the normal approximation with tie and continuity corrections (scipy's
 * `mannwhitneyu(method="asymptotic")`). `u` is the statistic of `a` (pairs where a > b, ties
 * half). p is 1 when either sample is empty or every value is tied.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): { u: number; p: number } {
  if ([...a, ...b].some((v) => !Number.isFinite(v))) throw new RangeError('samples must be finite numbers');
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, p: 1 };
  const all = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))].sort((x, y) => x.v - y.v);
  const n = n1 + n2;
  let rankSumA = 0;
  let tieTerm = 0; // sum of (t^3 - t) over groups of ties
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && all[end + 1]!.v === all[start]!.v) end++;
    const t = end - start + 1;
    tieTerm += t * t * t - t;
    const meanRank = (start + end + 2) / 2;
    for (let j = start; j <= end; j++) if (all[j]!.first) rankSumA += meanRank;
    start = end + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, p: 1 };
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * upperNormalTail(Math.max(0, z))) };
}
