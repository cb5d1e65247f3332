import path from 'node:path';
import type { Embedder, QueryClip } from '../../../src/inference/embedder';
import type { ModelFolder, ModelManifest } from '../../../src/inference/model-manifest';
import { betaVersion, evaluateModels, type EvaluationReport } from '../../../lab/evaluation/evaluate';
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
  embedMusic: (_m, windows) => Promise.resolve(windows.map((w) => unit(w, 1))),
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

describe('evaluateModels --reference-beta sweep', () => {
  let dataset: string;
  const run = (models: ModelFolder[], referenceBetas?: number[]): Promise<EvaluationReport> =>
    evaluateModels({ datasetDir: dataset, models, embedder, split: 'all', candidates: 'all', referenceBetas });

  beforeAll(async () => {
    dataset = await makeTinyDataset(makeMusicDir(), 7, 4);
  });

  it('names each swept beta so seeds still pool into one arm', () => {
    expect(betaVersion('2026.12.05-st16np-seed2', 20)).toBe('2026.12.05-st16np-b20-seed2');
    expect(betaVersion('ens3', 0)).toBe('ens3-b0');
  });

  it('reports each beta as the same model with that beta in its manifest would rank', async () => {
    const swept = await run([model(0)], [0, 40]);
    expect(swept.models.map((m) => m.model.version)).toEqual(['sweep-b0-seed2', 'sweep-b40-seed2']);
    const [at0, at40] = await Promise.all([run([model(0)]), run([model(40)])]);
    const scores = (r: EvaluationReport, i = 0) => r.models[i]!.perQuery.map((q) => [q.rank, q.top1, q.top5]);
    expect(scores(swept, 0)).toEqual(scores(at0));
    expect(scores(swept, 1)).toEqual(scores(at40));
    expect(path.resolve(swept.dataset)).toBe(path.resolve(dataset));
  });

  it('reports a model without reference queries once, under its own version', async () => {
    const raw = { ...model(0, 'raw'), referenceQueries: undefined };
    const swept = await run([raw, model(0)], [0, 5, 40]);
    expect(swept.models.map((m) => m.model.version)).toEqual([
      'raw',
      'sweep-b0-seed2',
      'sweep-b5-seed2',
      'sweep-b40-seed2',
    ]);
  });
});
