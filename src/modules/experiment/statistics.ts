/**
 * Statistics of the subjective evaluation (pure functions, no I/O).
 *
 * - Exact two-sided binomial (sign) test of "both arms equally preferred" on the decisive votes.
 * - Bradley-Terry strengths fitted with the MM algorithm of Hunter (2004), "MM algorithms for
 *   generalized Bradley-Terry models", Ann. Statist. 32(1), eq. (3).
 */

import { binomialUpperTail } from '../../common/hypothesis-tests';

export { type Interval, wilsonInterval, Z_95 } from '../../common/hypothesis-tests';

/**
 * Two-sided p-value of the exact binomial test of H0: p = 1/2 for k successes in n trials (the
 * sign test). Under H0 the distribution is symmetric, so the two-sided value is twice the smaller
 * tail, capped at 1.
 */
export function signTestPValue(k: number, n: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || k < 0 || k > n) {
    throw new RangeError(`need integers 0 <= k <= n, got k=${k}, n=${n}`);
  }
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialUpperTail(Math.max(k, n - k), n));
}

export interface BradleyTerryFit {
  /** Strength of each item, normalised to sum to 1 over the compared items; null when never compared. */
  strengths: (number | null)[];
  iterations: number;
  converged: boolean;
}

export interface BradleyTerryOptions {
  maxIterations?: number;
  /** Stop when no strength moves by more than this between iterations. */
  tolerance?: number;
}

/**
 * Bradley-Terry model P(i beats j) = g_i / (g_i + g_j), fitted by Hunter's MM iteration
 *   g_i <- W_i / sum_{j != i} N_ij / (g_i + g_j),   then renormalised to sum 1,
 * where W_i is i's total wins and N_ij the comparisons between i and j. `wins[i][j]` is the
 * number of times i beat j; it may be fractional (the caller counts a neutral vote as half a win
 * for each side). The maximum-likelihood estimate exists when the win graph is strongly
 * connected; otherwise an item without wins tends to strength 0, which is what this returns.
 */
export function bradleyTerry(wins: number[][], options: BradleyTerryOptions = {}): BradleyTerryFit {
  const m = wins.length;
  const maxIterations = options.maxIterations ?? 10_000;
  const tolerance = options.tolerance ?? 1e-10;
  const w = (i: number, j: number) => (i === j ? 0 : (wins[i]?.[j] ?? 0));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (!(w(i, j) >= 0)) throw new RangeError(`wins[${i}][${j}] must be a non-negative number`);
    }
  }
  const games = (i: number, j: number) => w(i, j) + w(j, i);
  const compared = Array.from({ length: m }, (_, i) => wins.some((_, j) => games(i, j) > 0));
  const totalWins = Array.from({ length: m }, (_, i) => wins.reduce((s, _, j) => s + w(i, j), 0));
  const active = compared.filter(Boolean).length;
  let g = compared.map((c) => (c ? 1 / active : 0));

  let iterations = 0;
  let converged = active === 0;
  while (!converged && iterations < maxIterations) {
    iterations++;
    const next = g.map((gi, i) => {
      if (!compared[i]) return 0;
      let denominator = 0;
      for (let j = 0; j < m; j++) {
        const n = games(i, j);
        if (n > 0 && gi + g[j]! > 0) denominator += n / (gi + g[j]!);
      }
      return denominator > 0 ? totalWins[i]! / denominator : 0;
    });
    const sum = next.reduce((s, x) => s + x, 0);
    const normalised = next.map((x) => (sum > 0 ? x / sum : 0));
    converged = normalised.every((x, i) => Math.abs(x - g[i]!) <= tolerance);
    g = normalised;
  }
  return { strengths: g.map((x, i) => (compared[i] ? x : null)), iterations, converged };
}
