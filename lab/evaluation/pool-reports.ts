import { Rng } from '../dataset/prng';
import { comparePairedRanks, type PairedComparison } from './paired-comparison';
import type { EvaluationReport, LargestHub, ModelEvaluation } from './evaluate';
import { hubness } from './evaluate';

/**
 * Pools `npm run eval` reports of several held-out datasets and several training seeds per model
 * ("arm"): each video gets its arm's ranks averaged over the arm's seeds, so seeds are a source of
 * variance to average, not extra videos; videos of all datasets are then pooled. Intervals are
 * bootstrap percentiles over videos; arms are compared per video with one-sided paired tests.
 */

export interface ArmSummary {
  arm: string;
  seeds: number;
  videos: number;
  /** Recall at k in %, mean over seeds, with a 95 % bootstrap interval over videos. */
  recall: Record<string, Interval>;
  meanRank: Interval;
  segmentRecall: Record<string, Interval>;
  /**
   * Per seed, pooled over datasets (a track id is the same track in every dataset): the largest
   * top-1 count over the fair share (queries / distinct candidate tracks), and top-5 coverage.
   */
  maxTop1Share: number[];
  top5Coverage: number[];
  /** Per seed, the track behind maxTop1Share (evaluate.ts hubness): which track, and whether it earned it. */
  largestHub: (LargestHub | null)[];
}

export interface Interval {
  value: number;
  low: number;
  high: number;
}

export interface ArmComparison {
  arm: string;
  baseline: string;
  catalog: PairedComparison;
  segment: PairedComparison;
}

/** The arm a model belongs to: its manifest version without a trailing "-seedN". */
export function armOf(m: Pick<ModelEvaluation, 'model'>): string {
  return m.model.version.replace(/-seed\d+$/, '');
}

/** Mean of `values` with a 95 % percentile bootstrap interval (resampling videos). */
export function bootstrapMean(values: readonly number[], resamples = 2000, seed = 1): Interval {
  const n = values.length;
  if (n === 0) throw new RangeError('bootstrap of no values');
  const mean = values.reduce((s, v) => s + v, 0) / n;
  // Seeded (the dataset generator's mulberry32): the same intervals on every run.
  const rng = new Rng(seed);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(0, n - 1)]!;
    means.push(s / n);
  }
  means.sort((a, b) => a - b);
  return { value: mean, low: means[Math.floor(0.025 * resamples)]!, high: means[Math.ceil(0.975 * resamples) - 1]! };
}

interface ArmRuns {
  arm: string;
  /** [seed][dataset] -> the model's evaluation on that dataset. */
  runs: Map<string, ModelEvaluation[]>;
}

function collectArms(reports: readonly EvaluationReport[]): ArmRuns[] {
  const arms = new Map<string, ArmRuns>();
  for (const [d, report] of reports.entries()) {
    for (const m of report.models) {
      const arm = armOf(m);
      const entry: ArmRuns = arms.get(arm) ?? { arm, runs: new Map<string, ModelEvaluation[]>() };
      const list = entry.runs.get(m.model.version) ?? [];
      list[d] = m;
      entry.runs.set(m.model.version, list);
      arms.set(arm, entry);
    }
  }
  for (const a of arms.values())
    for (const [version, list] of a.runs)
      if (list.length !== reports.length || list.some((m) => !m))
        throw new Error(`model ${version} is missing from some reports: every report must evaluate every model`);
  return [...arms.values()];
}

/** Per video (all datasets in order), the arm's `key` averaged over its seeds. */
function perVideo(a: ArmRuns, value: (m: ModelEvaluation, q: number) => number): number[] {
  const seeds = [...a.runs.values()];
  const datasets = seeds[0]!;
  return datasets.flatMap((m, d) =>
    m.perQuery.map((_, q) => seeds.reduce((s, runs) => s + value(runs[d]!, q), 0) / seeds.length),
  );
}

export function poolReports(
  reports: readonly EvaluationReport[],
  baselines: readonly string[] = [],
  ks: readonly number[] = [1, 3, 5, 10],
): { arms: ArmSummary[]; comparisons: ArmComparison[]; chance: Record<string, number> } {
  if (reports.length === 0) throw new Error('no report to pool');
  const arms = collectArms(reports);
  const candidates = new Set(reports.flatMap((r) => r.candidates)).size;
  const summaries = arms.map((a): ArmSummary => {
    const recall = (key: 'rank' | 'segmentRank') =>
      Object.fromEntries(
        ks.map((k) => [`R@${k}`, bootstrapMean(perVideo(a, (m, q) => (m.perQuery[q]![key] <= k ? 100 : 0)))]),
      );
    const seeds = [...a.runs.values()];
    // Datasets of one package share their tracks: a track is one track whichever dataset's query
    // put it first, and the fair share is all queries over the distinct candidate tracks.
    const hub = seeds.map((runs) =>
      hubness(
        runs.flatMap((m) => m.perQuery),
        candidates,
      ),
    );
    return {
      arm: a.arm,
      seeds: seeds.length,
      videos: seeds[0]!.reduce((n, m) => n + m.perQuery.length, 0),
      recall: recall('rank'),
      meanRank: bootstrapMean(perVideo(a, (m, q) => m.perQuery[q]!.rank)),
      segmentRecall: recall('segmentRank'),
      maxTop1Share: hub.map((h) => h.maxTop1Share),
      top5Coverage: hub.map((h) => h.top5Coverage),
      largestHub: hub.map((h) => h.largestHub),
    };
  });
  const byName = new Map(arms.map((a) => [a.arm, a]));
  const comparisons: ArmComparison[] = [];
  for (const baseline of baselines) {
    const b = byName.get(baseline);
    if (!b) throw new Error(`baseline ${baseline} is not among the arms: ${[...byName.keys()].join(', ')}`);
    for (const a of arms) {
      if (a === b) continue;
      const ranks = (x: ArmRuns, key: 'rank' | 'segmentRank') => perVideo(x, (m, q) => m.perQuery[q]![key]);
      comparisons.push({
        arm: a.arm,
        baseline,
        catalog: comparePairedRanks(ranks(a, 'rank'), ranks(b, 'rank')),
        segment: comparePairedRanks(ranks(a, 'segmentRank'), ranks(b, 'segmentRank')),
      });
    }
  }
  const queries = reports.reduce((n, r) => n + r.queries, 0);
  const chance = Object.fromEntries(
    ks.map((k) => [
      `R@${k}`,
      reports.reduce((s, r) => s + r.queries * Math.min(1, k / r.candidates.length), 0) * (100 / queries),
    ]),
  );
  return { arms: summaries, comparisons, chance };
}
