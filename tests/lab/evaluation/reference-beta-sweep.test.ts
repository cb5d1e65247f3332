import path from 'node:path';
import type { Embedder, QueryClip } from '../../../src/inference/embedder';
import type { ModelFolder, ModelManifest } from '../../../src/inference/model-manifest';
import {
  balanceVersion,
  bankVersion,
  betaVersion,
  evaluateModels,
  queryBankScores,
  typicalityVersion,
  type EvaluateOptions,
  type EvaluationReport,
} from '../../../lab/evaluation/evaluate';
import { STD_FLOOR } from '../../../src/inference/track-scaling';
import { makeMusicDir, makeTinyDataset } from '../dataset/tiny-dataset';

jest.setTimeout(120_000);

const DIM = 8;

/** A deterministic stand-in for the ONNX runner: each input's embedding is a fixed function of its content. */
function unit(values: Float32Array, salt: number): number[] {
  const v = Array.from({ length: DIM }, (_, d) => {
    let s = 0;
    for (let i = d; i < values.length; i += 97) s += values[i]! * Math.sin(salt + d * 1.7 + i * 0.013);
    return s;
  });
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
const embedder: Embedder = {
  embedMusic: (_m, windows) => Promise.resolve(windows.map((w) => unit(w.patches, 1))),
  embedQuery: (_m, clip: QueryClip) => Promise.resolve(unit(clip.voice, 2).map((x, i) => x + unit(clip.slow, 3)[i]!)),
};

const model = (beta: number, version = 'sweep-seed2'): ModelFolder => ({
  dir: '/nowhere',
  queryPath: '/nowhere/query.onnx',
  bgmPath: '/nowhere/bgm.onnx',
  manifest: {
    name: 'mrcmv',
    version,
    windowHopSeconds: 32,
    referenceSoftmaxBeta: beta,
    video: { fastFrames: 64, slowFrames: 8, height: 32, width: 32 },
  } as ModelManifest,
  referenceQueries: Array.from({ length: 6 }, (_, r) =>
    Float32Array.from(
      unit(
        Float32Array.from({ length: 400 }, (_, i) => Math.cos(r * 3.1 + i)),
        r,
      ),
    ),
  ),
});

describe('queryBankScores', () => {
  // Two tracks; track 0 scores high for every query (a hub), track 1 only for query 2.
  const raw = [
    [0.9, 0.1],
    [0.8, 0.2],
    [0.85, 0.7],
  ];

  it("standardises each query's score over the other queries' scores for the same track", () => {
    const scores = queryBankScores(raw, 0);
    // Query 2, track 0: the others score 0.9 and 0.8 (mean 0.85, std 0.05).
    expect(scores[2]![0]).toBeCloseTo((0.85 - 0.85) / 0.05, 10);
    // Query 2, track 1: the others score 0.1 and 0.2 (mean 0.15, std 0.05).
    expect(scores[2]![1]).toBeCloseTo((0.7 - 0.15) / 0.05, 10);
    // Query 0, track 1: the others score 0.2 and 0.7 (mean 0.45, std 0.25).
    expect(scores[0]![1]).toBeCloseTo((0.1 - 0.45) / 0.25, 10);
    // The hub no longer heads query 2's list.
    expect(scores[2]![1]).toBeGreaterThan(scores[2]![0]!);
  });

  it('floors the spread and leaves a single query raw', () => {
    expect(queryBankScores([[0.5], [0.5], [0.6]], 0)[2]![0]).toBeCloseTo(0.1 / STD_FLOOR, 10);
    expect(queryBankScores([[0.3, 0.4]], 0)).toEqual([[0.3, 0.4]]);
  });
});

describe('evaluateModels --reference-beta sweep', () => {
  let dataset: string;
  /** One evaluation of the tiny dataset, every item against every track, with the lab rows asked for. */
  const run = (models: ModelFolder[], rows: Partial<EvaluateOptions> = {}): Promise<EvaluationReport> =>
    evaluateModels({ datasetDir: dataset, models, embedder, split: 'all', candidates: 'all', ...rows });
  /** A model with a timing head of 3 numbers (manifest training.timing.bins), as the typicality rows need. */
  const timedModel = (version: string): ModelFolder => {
    const m = model(0, version);
    return { ...m, manifest: { ...m.manifest, training: { timing: { bins: 3 } } } };
  };

  beforeAll(async () => {
    dataset = await makeTinyDataset(makeMusicDir(), 7, 4);
  });

  it('names each swept beta so seeds still pool into one arm', () => {
    expect(betaVersion('2026.12.05-st16np-seed2', 20)).toBe('2026.12.05-st16np-b20-seed2');
    expect(betaVersion('ens3', 0)).toBe('ens3-b0');
    expect(bankVersion('2026.12.05-st16np-seed2', 10)).toBe('2026.12.05-st16np-qbank-b10-seed2');
  });

  it('adds rows ranked against the evaluated queries themselves, for models with and without references', async () => {
    const raw = { ...model(0, 'raw'), referenceQueries: undefined };
    const report = await run([raw, model(0)], { referenceBetas: [0, 10], queryBank: true });
    expect(report.models.map((m) => m.model.version)).toEqual([
      'raw',
      'raw-qbank-b0',
      'raw-qbank-b10',
      'sweep-b0-seed2',
      'sweep-b10-seed2',
      'sweep-qbank-b0-seed2',
      'sweep-qbank-b10-seed2',
    ]);
    for (const m of report.models) expect(m.perQuery).toHaveLength(report.queries);
  });

  it('reports each beta as the same model with that beta in its manifest would rank', async () => {
    const swept = await run([model(0)], { referenceBetas: [0, 40] });
    expect(swept.models.map((m) => m.model.version)).toEqual(['sweep-b0-seed2', 'sweep-b40-seed2']);
    const [at0, at40] = await Promise.all([run([model(0)]), run([model(40)])]);
    const scores = (r: EvaluationReport, i = 0) => r.models[i]!.perQuery.map((q) => [q.rank, q.top1, q.top5]);
    expect(scores(swept, 0)).toEqual(scores(at0));
    expect(scores(swept, 1)).toEqual(scores(at40));
    expect(path.resolve(swept.dataset)).toBe(path.resolve(dataset));
  });

  it('reports a model without reference queries once, under its own version', async () => {
    const raw = { ...model(0, 'raw'), referenceQueries: undefined };
    const swept = await run([raw, model(0)], { referenceBetas: [0, 5, 40] });
    expect(swept.models.map((m) => m.model.version)).toEqual([
      'raw',
      'sweep-b0-seed2',
      'sweep-b5-seed2',
      'sweep-b40-seed2',
    ]);
  });

  it('adds catalog-balanced rows after the beta tag, only for models with references', async () => {
    expect(balanceVersion('2026.12.06-st16np-b10-seed2', 0.5)).toBe('2026.12.06-st16np-b10-bal0.5-seed2');
    expect(balanceVersion('ens5-b10', 0.25, 'lower')).toBe('ens5-b10-low0.25');
    const raw = { ...model(0, 'raw'), referenceQueries: undefined };
    const report = await run([raw, model(0)], { referenceBetas: [0, 10], balanceTemperatures: [0.5] });
    expect(report.models.map((m) => m.model.version)).toEqual([
      'raw',
      'sweep-b0-seed2',
      'sweep-b10-seed2',
      'sweep-b0-bal0.5-seed2',
      'sweep-b10-bal0.5-seed2',
    ]);
  });

  // At beta 0 every track's standardised reference scores average 0, so a high temperature leaves
  // offsets of order 1/T: the ranking is the unbalanced one. A low one moves it.
  it('ranks as the unbalanced arm at a high temperature', async () => {
    const report = await run([model(0)], { referenceBetas: [0], balanceTemperatures: [100] });
    const ranks = (i: number) => report.models[i]!.perQuery.map((q) => q.rank);
    expect(report.models.map((m) => m.model.version)).toEqual(['sweep-b0-seed2', 'sweep-b0-bal100-seed2']);
    expect(ranks(1)).toEqual(ranks(0));
  });

  it('adds rows ranked by score minus centre after the beta tag, only for models with references', async () => {
    const raw = { ...model(0, 'raw'), referenceQueries: undefined };
    const report = await run([raw, model(0)], { referenceBetas: [0, 10], centreOnly: true });
    expect(report.models.map((m) => m.model.version)).toEqual([
      'raw',
      'sweep-b0-seed2',
      'sweep-b10-seed2',
      'sweep-b0-centre-seed2',
      'sweep-b10-centre-seed2',
    ]);
    // References that all agree give every track the floor spread: dividing by it changes no rank.
    const same = model(0);
    same.referenceQueries = same.referenceQueries!.map(() => same.referenceQueries![0]!);
    const alike = await run([same], { centreOnly: true });
    const ranks = (i: number) => alike.models[i]!.perQuery.map((q) => [q.rank, q.top1]);
    expect(alike.models.map((m) => m.model.version)).toEqual(['sweep-seed2', 'sweep-centre-seed2']);
    expect(ranks(1)).toEqual(ranks(0));
  });

  it('adds catalog-typicality rows after the beta tag, only for timed models with references', async () => {
    expect(typicalityVersion('ens5-b1', -0.2)).toBe('ens5-b1-typ-0.2');
    const report = await run([model(0), timedModel('timed-seed2')], { typicalityLambdas: [0, -0.5, 5] });
    expect(report.models.map((m) => m.model.version)).toEqual([
      'sweep-seed2',
      'timed-seed2',
      'timed-typ0-seed2',
      'timed-typ-0.5-seed2',
      'timed-typ5-seed2',
    ]);
    for (const m of report.models) expect(m.perQuery).toHaveLength(report.queries);
    // The tiny dataset's two tracks have one window each, so they are equally typical and no offset
    // moves a rank here: the offsets are tested on their own (tests/unit/inference/
    // catalog-typicality.test.ts) and served on the demo (tests/integration/demo-catalog.test.ts).
  });

  it("names a model's rows when its manifest has catalogTypicality (its own rows are ranked with it)", async () => {
    const timed = timedModel('timed');
    const typicality = { lambda: 5, bins: 3, probeStride: 4 };
    const served = { ...timed, manifest: { ...timed.manifest, version: 'served', catalogTypicality: typicality } };
    const report = await run([served, timed], { typicalityLambdas: [5], centreOnly: true });
    const versions = report.models.map((m) => m.model.version);
    expect(versions).toEqual(['served', 'served-centre', 'served-typ5', 'timed', 'timed-centre', 'timed-typ5']);
  });
});
