import { mannWhitneyU, twoProportionPValue, wilsonInterval } from '../../common/hypothesis-tests';
import type { ChoiceCounts, ServedCounts } from './canary.repository';

/** A rank at or above this counts as "in the first screen" of suggestions. */
export const CANARY_TOP = 3;

export interface Proportion {
  /** Share in [0, 1]; null when there is nothing to divide by. */
  value: number | null;
  /** Wilson 95% interval. */
  lower: number;
  upper: number;
}

export interface CanaryArmFigures {
  versionId: string;
  /** Videos whose suggestBgm this version served while the canary ran, and the calls. */
  videos: number;
  requests: number;
  /** Choices recorded on this arm, and the videos they were made for. */
  choices: number;
  videosWithChoice: number;
  /** Videos with a choice / videos served. */
  choiceRate: Proportion;
  /** Choices whose rank the app reported, their mean rank, and the share at rank <= CANARY_TOP. */
  rankedChoices: number;
  meanRank: number | null;
  topShare: Proportion;
}

export interface CanaryComparison {
  canary: CanaryArmFigures;
  baseline: CanaryArmFigures;
  /** Two-sided two-proportion z-test of the choice rates. */
  choiceRateP: number;
  /** Two-sided Mann-Whitney test of the reported ranks. */
  rankP: number;
}

/** The share with its Wilson interval. */
export function proportion(successes: number, n: number): Proportion {
  return { value: n > 0 ? successes / n : null, ...wilsonInterval(successes, n) };
}

/** The reported ranks of an arm, one entry per choice. */
function ranksOf(choices: ChoiceCounts[], versionId: string): number[] {
  return choices
    .filter((c) => c.versionId === versionId && c.rank !== null)
    .flatMap((c) => Array<number>(c.choices).fill(c.rank!));
}

/**
 * The videos with a choice that count for an arm's choice rate. A video can also have been served
 * by the other arm before its canary embedding was ready; its choice belongs to the arm that served
 * it last, so the count is clamped to the arm's videos and the rate stays within [0, 1].
 */
const countedChoices = (a: Pick<CanaryArmFigures, 'videosWithChoice' | 'videos'>) =>
  Math.min(a.videosWithChoice, a.videos);

export function armFigures(
  versionId: string,
  served: ServedCounts[],
  choices: ChoiceCounts[],
  videosWithChoice: number,
): CanaryArmFigures {
  const s = served.find((r) => r.versionId === versionId);
  const videos = s?.videos ?? 0;
  const ranks = ranksOf(choices, versionId);
  const top = ranks.filter((r) => r <= CANARY_TOP).length;
  const counted = countedChoices({ videosWithChoice, videos });
  return {
    versionId,
    videos,
    requests: s?.requests ?? 0,
    choices: choices.filter((c) => c.versionId === versionId).reduce((sum, c) => sum + c.choices, 0),
    videosWithChoice,
    choiceRate: proportion(counted, videos),
    rankedChoices: ranks.length,
    meanRank: ranks.length ? Math.round((100 * ranks.reduce((a, b) => a + b, 0)) / ranks.length) / 100 : null,
    topShare: proportion(top, ranks.length),
  };
}

/** The canary's arm against the baseline's, with the two tests. */
export function compareArms(
  canaryId: string,
  baselineId: string,
  served: ServedCounts[],
  choices: ChoiceCounts[],
  withChoice: { versionId: string; videos: number }[],
): CanaryComparison {
  const chosen = (id: string) => withChoice.find((w) => w.versionId === id)?.videos ?? 0;
  const canary = armFigures(canaryId, served, choices, chosen(canaryId));
  const baseline = armFigures(baselineId, served, choices, chosen(baselineId));
  const rate = (a: CanaryArmFigures) => [countedChoices(a), a.videos] as const;
  return {
    canary,
    baseline,
    choiceRateP: twoProportionPValue(...rate(canary), ...rate(baseline)),
    rankP: mannWhitneyU(ranksOf(choices, canaryId), ranksOf(choices, baselineId)).p,
  };
}
