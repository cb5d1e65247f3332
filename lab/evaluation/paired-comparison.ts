import { binomialUpperTail, wilcoxonSignedRank } from '../../src/common/hypothesis-tests';

/**
 * Whether model A ranks the ground truth better than model B on the same queries. With a few
 * dozen test videos, recall differences of 10-20 points happen by chance, so a claim such as
 * "the model without the voice-over does worse" is backed by paired tests on the per-query ranks.
 */
export interface PairedComparison {
  queries: number;
  /** Queries where A's rank is lower (better) than B's, higher, equal. */
  better: number;
  worse: number;
  ties: number;
  /** One-sided p-values of H1 "A ranks better": exact sign test, and Wilcoxon signed-rank on the rank differences. */
  signP: number;
  wilcoxonP: number;
}

export function comparePairedRanks(a: readonly number[], b: readonly number[]): PairedComparison {
  if (a.length !== b.length) throw new RangeError(`paired ranks need the same queries: ${a.length} vs ${b.length}`);
  const differences = a.map((rank, i) => b[i]! - rank);
  const better = differences.filter((d) => d > 0).length;
  const worse = differences.filter((d) => d < 0).length;
  return {
    queries: a.length,
    better,
    worse,
    ties: a.length - better - worse,
    signP: binomialUpperTail(better, better + worse),
    wilcoxonP: wilcoxonSignedRank(differences).pGreater,
  };
}
