import { wilcoxonSignedRank } from '../../common/hypothesis-tests';

/** Ranks past this are "not in the first GATE_DEPTH suggestions": what a creator would never see. */
export const GATE_DEPTH = 50;
/** One-sided level of the gate's paired test. */
export const GATE_ALPHA = 0.05;

export interface HeldOutChoice {
  id: string;
  videoId: string;
  trackId: string;
}

export interface RankSummary {
  'R@1': number;
  'R@5': number;
  'R@10': number;
  /** Median rank; GATE_DEPTH + 1 stands for "beyond the first GATE_DEPTH". */
  medianRank: number;
  meanRank: number;
}

export interface GateResult {
  /** Choices ranked (those whose video or track is gone are left out). */
  n: number;
  candidate: RankSummary;
  baseline: RankSummary;
  /** Choices the candidate ranks higher / lower / the same as the active version. */
  better: number;
  worse: number;
  ties: number;
  /** One-sided paired Wilcoxon p-values on the ranks: candidate worse, candidate better. */
  pWorse: number;
  pBetter: number;
  verdict: 'worse' | 'better' | 'level';
}

/** model_version.evaluation: written PREPARING by evaluateModelVersion, DONE or FAILED by the job. */
export interface ModelEvaluation {
  status: 'PREPARING' | 'DONE' | 'FAILED';
  requestedAt: string;
  heldOutFraction: number;
  baselineVersionId: string;
  baselineVersion: string;
  choices: HeldOutChoice[];
  depth: number;
  result?: GateResult;
  finishedAt?: string;
  reason?: string;
  /** Written with a passing result (not worse): the rater experiment created and the canary share set. */
  canary?: CanaryStart;
}

/** What passing the gate started (model-canary.ts). */
export interface CanaryStart {
  /** The rater A/B experiment of the candidate against the version it was compared with; null when none could be made. */
  experimentId: string | null;
  /** Why no experiment was made, when none was. */
  experimentNote?: string;
  /** The share of suggestBgm the candidate was given (CANARY_SHARE; 0: none until an admin sets one). */
  share: number;
  /** Why CANARY_SHARE was not applied, when it was not. */
  shareNote?: string;
}

const pct = (hits: number, n: number) => Math.round((1000 * hits) / Math.max(1, n)) / 10;

function summarise(ranks: number[]): RankSummary {
  const sorted = [...ranks].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    'R@1': pct(ranks.filter((r) => r <= 1).length, ranks.length),
    'R@5': pct(ranks.filter((r) => r <= 5).length, ranks.length),
    'R@10': pct(ranks.filter((r) => r <= 10).length, ranks.length),
    medianRank: median,
    meanRank: Math.round((100 * ranks.reduce((s, r) => s + r, 0)) / Math.max(1, ranks.length)) / 100,
  };
}

/**
 * The gate's figures from paired ranks (1 = first suggestion; beyond the depth counts as depth + 1,
 * a tie among the unseen): recall and median rank of each model, and the one-sided Wilcoxon
 * signed-rank tests of "the candidate ranks the creators' choices lower" and "higher".
 */
export function gateResult(candidate: number[], baseline: number[]): GateResult {
  if (candidate.length !== baseline.length) throw new RangeError('paired ranks differ in length');
  const diff = candidate.map((r, i) => r - baseline[i]!);
  const pWorse = wilcoxonSignedRank(diff).pGreater;
  const pBetter = wilcoxonSignedRank(diff.map((d) => -d)).pGreater;
  return {
    n: candidate.length,
    candidate: summarise(candidate),
    baseline: summarise(baseline),
    better: diff.filter((d) => d < 0).length,
    worse: diff.filter((d) => d > 0).length,
    ties: diff.filter((d) => d === 0).length,
    pWorse,
    pBetter,
    verdict: pWorse < GATE_ALPHA ? 'worse' : pBetter < GATE_ALPHA ? 'better' : 'level',
  };
}
