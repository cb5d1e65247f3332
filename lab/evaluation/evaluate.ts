import path from 'node:path';
import {
  readDatasetManifest,
  type DatasetManifest,
  type ManifestItem,
  type ManifestTrack,
} from '../dataset/dataset-manifest';
import { mapPool } from '../dataset/worker-pool';
import type { Embedder } from '../../src/inference/embedder';
import type { ModelFolder } from '../../src/inference/model-manifest';
import { balanceOffsets, lowerOnlyOffsets } from './catalog-balance';
import { coarseLearnedWindows, timingBins } from './coarse-learned';
import { catalogTypicality, PROBE_STRIDE, typicalityOffsets } from '../../src/inference/catalog-typicality';
import { referenceBestScores, scaledScore, scalingFromScores } from '../../src/inference/track-scaling';
import { queryFeatures, trackFeatures } from './serving-inputs';
import {
  bestWindowScore,
  chanceRecallAt,
  cosine,
  euclidean,
  rankOf,
  RECALL_KS,
  summarize,
  type RetrievalSummary,
} from './ranking-metrics';
import { comparePairedRanks, type PairedComparison } from './paired-comparison';

/**
 * Table-1-style evaluation of exported model folders on a dataset made by dataset:make, through
 * the serving code: the same decoders, log-mel front end, clip rules and ONNX runner
 * (OnnxEmbedder) as the embed-track / embed-video jobs, and the same ranking as suggestBgm (each
 * track scores the cosine of its best 32 s window).
 *
 * The ground truth is the item's trackId: a query is right when its own track is ranked, whichever
 * window of it scored best (the "music segment" is the whole track, as a catalog holds it).
 */

export type SplitName = 'train' | 'test' | 'all';
/** split: the tracks the evaluated items use (the paper ranks the test BGMs); all: every track of the manifest. */
export type CandidateSet = 'split' | 'all';

export interface EvaluateOptions {
  datasetDir: string;
  models: ModelFolder[];
  embedder: Embedder;
  split?: SplitName;
  candidates?: CandidateSet;
  /** Items decoded and embedded at once (default 2). */
  concurrency?: number;
  /** Evaluate only the first N items of the split (smoke runs); the candidates stay the split's. */
  limit?: number;
  /**
   * A sweep of the hubness reduction's sharpness (src/inference/track-scaling.ts): each model that
   * ships reference queries is reported once per beta, as version `betaVersion(version, beta)`,
   * instead of once at its manifest's beta. The embeddings are computed once per model.
   */
  referenceBetas?: readonly number[];
  /**
   * Also rank each model against a bank of the evaluated videos' own queries instead of its shipped
   * reference queries (a simulation of querybank normalisation with the platform's recent queries):
   * each query's scores are standardised over the other queries of the evaluation (leave-one-out),
   * at each beta. Reported as version `bankVersion(version, beta)`.
   */
  queryBank?: boolean;
  /**
   * Also rank each model that ships reference queries with exposure-balance offsets over the
   * evaluated catalog (lab/evaluation/catalog-balance.ts), once per temperature and beta, as version
   * `balanceVersion(version, temperature)` (after the beta's tag when betas are swept).
   */
  balanceTemperatures?: readonly number[];
  /** even (default): the whole balance, tag `bal<T>`; lower: only its negative offsets, tag `low<T>`. */
  balanceMode?: BalanceMode;
  /**
   * Also rank each model that ships reference queries by its score minus the track's centre, not
   * divided by the spread of its reference scores (a track whose references score alike is not
   * stretched), once per beta, as version `centreVersion(version)` (after the beta's tag).
   */
  centreOnly?: boolean;
  /**
   * Also rank each model that ships reference queries and has a timing head with each track's
   * score moved by `-lambda x` its standardised catalog typicality (src/inference/
   * catalog-typicality.ts), once per lambda and beta, as version `typicalityVersion(version, lambda)`.
   * A model whose manifest has catalogTypicality is ranked with it on its own rows, as serving
   * ranks it; these rows replace its lambda, and the other lab rows (balance, centre) rank without.
   */
  typicalityLambdas?: readonly number[];
  /**
   * Per model (parallel to `models`): rank with each window's learned part taken from the window at
   * this coarser spacing and its timing envelope kept per window (lab/evaluation/coarse-learned.ts).
   * Only for models with a timing head.
   */
  learnedHopSeconds?: readonly (number | undefined)[];
  log?: (line: string) => void;
}

/** `-<tag>` before a trailing `-seedN`, so that seeds still pool into one arm. */
function taggedVersion(version: string, tag: string): string {
  const seed = /-seed\d+$/.exec(version)?.[0] ?? '';
  return `${version.slice(0, version.length - seed.length)}-${tag}${seed}`;
}

/** A model's version evaluated at another beta: `<version>-b<beta>[-seedN]`. */
export const betaVersion = (version: string, beta: number): string => taggedVersion(version, `b${beta}`);
/** A timed model ranked with its learned part every `hop` seconds: `<version>-learned<hop>[-seedN]`. */
export const learnedVersion = (version: string, hop: number): string => taggedVersion(version, `learned${hop}`);

export type BalanceMode = 'even' | 'lower';

/** A model's version ranked with catalog exposure balance: `<version>-bal<T>[-seedN]` (`low<T>` when lowering only). */
export const balanceVersion = (version: string, temperature: number, mode: BalanceMode = 'even'): string =>
  taggedVersion(version, `${mode === 'lower' ? 'low' : 'bal'}${temperature}`);

/** A model's version ranked against the evaluation's own queries: `<version>-qbank-b<beta>[-seedN]`. */
export const bankVersion = (version: string, beta: number): string => taggedVersion(version, `qbank-b${beta}`);

/** A model's version ranked by score minus centre, without the spread: `<version>-centre[-seedN]`. */
export const centreVersion = (version: string): string => taggedVersion(version, 'centre');

/** A model's version ranked with catalog typicality at `lambda`: `<version>-typ<lambda>[-seedN]`. */
export const typicalityVersion = (version: string, lambda: number): string => taggedVersion(version, `typ${lambda}`);

export interface QueryResult {
  videoId: string;
  trackId: string;
  rank: number;
  /** The query's rank on the segment protocol (ModelEvaluation.segment). */
  segmentRank: number;
  top1: string;
  /** The five best tracks, best first (hubness: how much of the catalog anyone is shown). */
  top5: string[];
  /** Distance between the top-1 track and the ground truth in the log-mel fingerprint space (0 when right). */
  top1Distance: number;
}

export interface ModelEvaluation extends RetrievalSummary {
  /**
   * Secondary protocol, as the paper's and training/mrcmv/evaluate.py: candidates are the test
   * items' own 32 s music segments (one per query), the ground truth is the query's segment, and
   * segments of the same track do not count against it.
   */
  segment: RetrievalSummary;
  model: { name: string; version: string; dir: string; variant?: string };
  /** Mean over queries of the fingerprint distance between the top-1 track and the ground truth. */
  logMelDistance: number;
  /** The same, over the queries whose top-1 was wrong only. */
  logMelDistanceMisses: number;
  hubness: Hubness;
  perQuery: QueryResult[];
}

export interface EvaluationReport {
  dataset: string;
  split: SplitName;
  candidateSet: CandidateSet;
  candidates: string[];
  queries: number;
  protocol: string;
  distanceSpace: string;
  chance: { recall: Record<string, number>; medianRank: number; logMelDistance: number };
  models: ModelEvaluation[];
  /** The first model against each other one, on the same queries (empty with one model). */
  paired: { model: string; baseline: string; catalog: PairedComparison; segment: PairedComparison }[];
  seconds: number;
}

export const PROTOCOL =
  "query = first 32 s of the video frames + voice-over (looped if shorter); candidates ranked by the cosine of their best 32 s window (as suggestBgm); ground truth = the item's trackId";
export const DISTANCE_SPACE =
  'L2 between per-track [mean, std] of the 64 log-mel bins (VGGish front end) over the whole track';

/** The windows as ranked: as embedded, or with a coarser learned part (EvaluateOptions.learnedHopSeconds). */
function servedWindows(model: ModelFolder, embedded: number[][], learnedHop: number | undefined): number[][] {
  if (learnedHop === undefined) return embedded;
  const bins = timingBins(model.manifest.training);
  if (bins === undefined) throw new Error(`${model.manifest.version} has no timing head: no learned spacing to vary`);
  return coarseLearnedWindows(embedded, model.manifest.windowHopSeconds, learnedHop, bins);
}

export function selectItems(items: readonly ManifestItem[], split: SplitName): ManifestItem[] {
  return items.filter((i) => split === 'all' || i.split === split);
}

/**
 * The queries and the candidate tracks of an evaluation. The candidates come from the whole split
 * (or the whole manifest): a limit makes fewer queries, never an easier ranking.
 */
export function planEvaluation(
  manifest: Pick<DatasetManifest, 'items' | 'tracks'>,
  split: SplitName,
  candidateSet: CandidateSet,
  limit?: number,
): { items: ManifestItem[]; tracks: ManifestTrack[] } {
  const splitItems = selectItems(manifest.items, split);
  const used = new Set(splitItems.map((i) => i.trackId));
  const items = limit === undefined ? splitItems : splitItems.slice(0, limit);
  if (items.length === 0) throw new Error(`the dataset has no ${split} items`);
  return { items, tracks: manifest.tracks.filter((t) => candidateSet === 'all' || used.has(t.trackId)) };
}

/** One row of the report: a model (index mi), the beta it is ranked at, and how. */
interface Arm {
  model: ModelFolder;
  mi: number;
  beta: number;
  bank: boolean;
  version: string;
  /** The balance's temperature, on balanced rows only. */
  balance?: number;
  /** Ranked by score minus centre, without the division by the spread. */
  centreOnly?: boolean;
  /** The typicality weight, on typicality rows only. */
  typicality?: number;
}

export async function evaluateModels(o: EvaluateOptions): Promise<EvaluationReport> {
  const started = Date.now();
  const log = o.log ?? (() => undefined);
  const split = o.split ?? 'test';
  const candidateSet = o.candidates ?? 'split';
  if (o.models.length === 0) throw new Error('no model to evaluate');
  const manifest = readDatasetManifest(path.join(o.datasetDir, 'manifest.json'));
  const { items, tracks } = planEvaluation(manifest, split, candidateSet, o.limit);
  const trackIndex = new Map(tracks.map((t, i) => [t.trackId, i]));
  const concurrency = o.concurrency ?? 2;

  const hops = [...new Set(o.models.map((m) => m.manifest.windowHopSeconds))];
  // Candidates: window embeddings per model, and the fixed fingerprint.
  const windows: number[][][][] = o.models.map(() => []); // [model][track][window][dim]
  // Each track's best-window score per reference query, for the models that ship them: serving
  // standardises each track's score by them (at the arm's beta, below).
  const referenceScores: (number[] | null)[][] = o.models.map(() => []); // [model][track]
  const fingerprints: number[][] = [];
  const segments: number[][][] = o.models.map(() => []); // [model][item][dim]
  let done = 0;
  await mapPool(tracks, concurrency, async (t, ti) => {
    const mine = items.flatMap((item, qi) => (item.trackId === t.trackId ? [qi] : []));
    const f = await trackFeatures(
      path.join(o.datasetDir, t.file),
      mine.map((qi) => items[qi]!.musicOffsetSec),
      hops,
    );
    fingerprints[ti] = f.fingerprint;
    // A folder listed twice (--learned-hop ranks the same networks another way) is embedded once.
    const embedded = new Map<string, { windows: number[][]; segments: number[][] }>();
    for (const [mi, model] of o.models.entries()) {
      const key = `${model.dir}@${model.manifest.windowHopSeconds}`;
      let own = embedded.get(key);
      if (!own) {
        own = {
          // Each model is matched against the windows it asks for, as the embed-track job cuts them.
          windows: await o.embedder.embedMusic(model, f.windowsByHop.get(model.manifest.windowHopSeconds)!),
          segments: await o.embedder.embedMusic(model, f.segments),
        };
        embedded.set(key, own);
      }
      const trackWindows = servedWindows(model, own.windows, o.learnedHopSeconds?.[mi]);
      windows[mi]![ti] = trackWindows;
      referenceScores[mi]![ti] = model.referenceQueries
        ? referenceBestScores(model.referenceQueries, trackWindows)
        : null;
      mine.forEach((qi, j) => (segments[mi]![qi] = own.segments[j]!));
    }
    log(
      `track [${++done}/${tracks.length}] ${t.trackId}: ${hops.map((h) => `${f.windowsByHop.get(h)!.length} windows every ${h} s`).join(', ')}`,
    );
  });

  // Queries, embedded once per model; frames at each model's input size.
  const queries: number[][][] = o.models.map(() => []); // [model][item][dim]
  done = 0;
  await mapPool(items, concurrency, async (item, qi) => {
    const bySize = new Map<string, Awaited<ReturnType<typeof queryFeatures>>>();
    const byFolder = new Map<string, number[]>();
    for (const [mi, model] of o.models.entries()) {
      const same = byFolder.get(model.dir);
      if (same) {
        queries[mi]![qi] = same;
        continue;
      }
      const { width, height } = model.manifest.video;
      const key = `${width}x${height}`;
      let clip = bySize.get(key);
      if (!clip) {
        clip = await queryFeatures(
          path.join(o.datasetDir, item.videoFile),
          path.join(o.datasetDir, item.voiceOverFile),
          { width, height },
        );
        bySize.set(key, clip);
      }
      queries[mi]![qi] = await o.embedder.embedQuery(model, clip);
      byFolder.set(model.dir, queries[mi]![qi]);
    }
    if (++done % 20 === 0 || done === items.length) log(`query [${done}/${items.length}]`);
  });

  const distance = (a: number, b: number) => euclidean(fingerprints[a]!, fingerprints[b]!);
  // Each query's best-window cosine with each track, per model: [model][query][track].
  const raw = o.models.map((_, mi) =>
    items.map((_item, qi) => windows[mi]!.map((w) => bestWindowScore(queries[mi]![qi]!, w).score)),
  );
  // One row per model, or per model and swept beta; with queryBank, also per beta against the bank.
  const arms = o.models.flatMap((model, mi): Arm[] => {
    const betas = o.referenceBetas?.length ? o.referenceBetas : [model.manifest.referenceSoftmaxBeta];
    const shipped =
      model.referenceQueries && o.referenceBetas?.length
        ? betas.map((beta) => ({ model, mi, beta, bank: false, version: betaVersion(model.manifest.version, beta) }))
        : [{ model, mi, beta: model.manifest.referenceSoftmaxBeta, bank: false, version: model.manifest.version }];
    const served = shipped.map((arm) => ({ ...arm, typicality: model.manifest.catalogTypicality?.lambda }));
    const banked = o.queryBank
      ? betas.map((beta) => ({ model, mi, beta, bank: true, version: bankVersion(model.manifest.version, beta) }))
      : [];
    const balanced = model.referenceQueries
      ? shipped.flatMap((arm) =>
          (o.balanceTemperatures ?? []).map((t) => ({
            ...arm,
            typicality: undefined,
            balance: t,
            version: balanceVersion(arm.version, t, o.balanceMode),
          })),
        )
      : [];
    const centred =
      model.referenceQueries && o.centreOnly
        ? shipped.map((arm) => ({
            ...arm,
            centreOnly: true,
            typicality: undefined,
            version: centreVersion(arm.version),
          }))
        : [];
    const typical =
      model.referenceQueries && timingBins(model.manifest.training) !== undefined
        ? shipped.flatMap((arm) =>
            (o.typicalityLambdas ?? []).map((lambda) => ({
              ...arm,
              typicality: lambda,
              version: typicalityVersion(arm.version, lambda),
            })),
          )
        : [];
    return [...served, ...banked, ...balanced, ...centred, ...typical];
  });
  // Each timed model's catalog typicality, computed once from its served windows (the manifest's
  // settings when it has them).
  const typicality = o.models.map((model, mi) => {
    const bins = model.manifest.catalogTypicality?.bins ?? timingBins(model.manifest.training);
    const stride = model.manifest.catalogTypicality?.probeStride ?? PROBE_STRIDE;
    const wanted = arms.some((arm) => arm.mi === mi && arm.typicality !== undefined);
    return wanted && bins !== undefined ? catalogTypicality(windows[mi]!, bins, stride) : null;
  });
  const models = arms.map((arm): ModelEvaluation => {
    const { model, mi, beta, bank, balance, centreOnly, typicality: lambda, version } = arm;
    const scalings = referenceScores[mi]!.map((best) => {
      if (!best) return null;
      const scaling = scalingFromScores(best, beta);
      return centreOnly ? { ...scaling, std: 1 } : scaling;
    });
    const banked = bank ? queryBankScores(raw[mi]!, beta) : null;
    // The references scored as the ranking scores them, then one offset per catalog track.
    const even =
      balance === undefined
        ? null
        : balanceOffsets(
            referenceScores[mi]!.map((best, ti) => best!.map((s) => scaledScore(s, scalings[ti]))),
            balance,
          );
    const offsets =
      lambda !== undefined
        ? typicalityOffsets(typicality[mi]!, lambda)
        : even && o.balanceMode === 'lower'
          ? lowerOnlyOffsets(even)
          : even;
    const segmentRanks = items.map((item, qi) => {
      const scores = segments[mi]!.map((seg) => cosine(queries[mi]![qi]!, seg));
      return rankOf(scores, qi, (j) => items[j]!.trackId === item.trackId);
    });
    const perQuery = items.map((item, qi): QueryResult => {
      const truth = trackIndex.get(item.trackId)!;
      const scores = banked
        ? banked[qi]!
        : raw[mi]![qi]!.map((score, ti) => scaledScore(score, scalings[ti]) + (offsets ? offsets[ti]! : 0));
      const rank = rankOf(scores, truth);
      const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
      const top = order[0]!;
      return {
        videoId: item.videoId,
        trackId: item.trackId,
        rank,
        segmentRank: segmentRanks[qi]!,
        top1: tracks[top]!.trackId,
        top5: order.slice(0, 5).map((i) => tracks[i]!.trackId),
        top1Distance: top === truth ? 0 : distance(top, truth),
      };
    });
    const misses = perQuery.filter((q) => q.top1 !== q.trackId);
    const training = (model.manifest.training ?? {}) as { variant?: unknown };
    return {
      model: {
        name: model.manifest.name,
        version,
        dir: model.dir,
        ...(typeof training.variant === 'string' ? { variant: training.variant } : {}),
      },
      ...summarize(
        perQuery.map((q) => q.rank),
        tracks.length,
      ),
      segment: summarize(segmentRanks, items.length),
      logMelDistance: mean(perQuery.map((q) => q.top1Distance)),
      logMelDistanceMisses: mean(misses.map((q) => q.top1Distance)),
      hubness: hubness(perQuery, tracks.length),
      perQuery,
    };
  });

  // Chance: a uniformly random top-1 among the candidates.
  const chanceDistance = mean(
    items.map((item) => {
      const truth = trackIndex.get(item.trackId)!;
      return mean(tracks.map((_, i) => (i === truth ? 0 : distance(i, truth))));
    }),
  );
  const chanceRecall: Record<string, number> = {};
  for (const k of RECALL_KS) chanceRecall[`R@${k}`] = chanceRecallAt(tracks.length, k);
  return {
    dataset: path.resolve(o.datasetDir),
    split,
    candidateSet,
    candidates: tracks.map((t) => t.trackId),
    queries: items.length,
    protocol: PROTOCOL,
    distanceSpace: DISTANCE_SPACE,
    chance: { recall: chanceRecall, medianRank: (tracks.length + 1) / 2, logMelDistance: chanceDistance },
    models,
    paired: models.slice(1).map((baseline) => ({
      model: modelLabel(models[0]!),
      baseline: modelLabel(baseline),
      catalog: comparePairedRanks(
        models[0]!.perQuery.map((q) => q.rank),
        baseline.perQuery.map((q) => q.rank),
      ),
      segment: comparePairedRanks(
        models[0]!.perQuery.map((q) => q.segmentRank),
        baseline.perQuery.map((q) => q.segmentRank),
      ),
    })),
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * Scores [query][track] standardised per track against the other queries' scores for that track
 * (leave-one-out, centre at `beta`): the bank is the evaluated videos themselves, as a platform's
 * recent queries would be. With a single query there is no bank, and the raw scores are returned.
 */
export function queryBankScores(raw: readonly (readonly number[])[], beta: number): number[][] {
  if (raw.length < 2) return raw.map((row) => [...row]);
  return raw.map((row, qi) =>
    row.map((score, ti) =>
      scaledScore(
        score,
        scalingFromScores(
          raw.flatMap((other, qj) => (qj === qi ? [] : [other[ti]!])),
          beta,
        ),
      ),
    ),
  );
}

/**
 * How evenly a model spreads its suggestions over the catalog. maxTop1Share: the number of queries
 * the most frequent top-1 track takes, over the fair share (queries / tracks): 1 when even, and a
 * recommender that sends most videos to a few tracks scores far above 1. top5Coverage: the share of
 * the catalog that appears in at least one query's top 5. largestHub: that most frequent top-1
 * track, with how many queries it heads, how many queries it is the truth of (what a perfect ranker
 * would give it) and how many of its top-1 places are right; null without queries.
 */
export interface Hubness {
  maxTop1Share: number;
  top5Coverage: number;
  largestHub: LargestHub | null;
}

export interface LargestHub {
  trackId: string;
  top1: number;
  truth: number;
  right: number;
}

export function hubness(perQuery: readonly Pick<QueryResult, 'trackId' | 'top1' | 'top5'>[], tracks: number): Hubness {
  const counts = new Map<string, number>();
  for (const q of perQuery) counts.set(q.top1, (counts.get(q.top1) ?? 0) + 1);
  const shown = new Set(perQuery.flatMap((q) => q.top5));
  // Ties go to the smaller track id, so that the same reports always name the same track.
  const hub = [...counts].sort(([a, n], [b, m]) => m - n || (a < b ? -1 : a > b ? 1 : 0))[0];
  return {
    maxTop1Share: hub ? hub[1] / (perQuery.length / tracks) : Number.NaN,
    top5Coverage: shown.size / tracks,
    largestHub: hub
      ? {
          trackId: hub[0],
          top1: hub[1],
          truth: perQuery.filter((q) => q.trackId === hub[0]).length,
          right: perQuery.filter((q) => q.top1 === hub[0] && q.trackId === hub[0]).length,
        }
      : null,
  };
}

/** The variant the model was trained as when its manifest says so, else name@version. */
export function modelLabel(m: Pick<ModelEvaluation, 'model'>): string {
  return m.model.variant ? `${m.model.variant} (${m.model.version})` : `${m.model.name}@${m.model.version}`;
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}
