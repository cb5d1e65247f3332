import type { Embedder, QueryClip } from '../../../src/inference/embedder';
import type { ModelFolder } from '../../../src/inference/model-manifest';
import { probeModel } from '../../../src/inference/model-probe';

const model = {
  manifest: { embeddingDim: 512, video: { height: 16, width: 16, fastFrames: 64, slowFrames: 8 } },
} as unknown as ModelFolder;

/** A unit vector per input, taken from the input's own values (so different windows differ). */
const unitFrom = (data: Float32Array, dim = 512): number[] => {
  const v = Array.from({ length: dim }, (_, i) => data[i * 7]! + 0.01 * i);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

const embedder = (
  tweak: { query?: (v: number[]) => number[]; music?: (v: number[], call: number) => number[] } = {},
): Embedder => {
  let calls = 0;
  return {
    embedQuery: (_m, clip: QueryClip) => Promise.resolve((tweak.query ?? ((v) => v))(unitFrom(clip.voice))),
    embedMusic: (_m, windows) => {
      calls++;
      return Promise.resolve(windows.map((w) => (tweak.music ?? ((v) => v))(unitFrom(w.patches), calls)));
    },
  };
};

describe('probeModel', () => {
  it('passes a model that keeps the contract, with its measurements', async () => {
    const result = await probeModel(embedder(), model);
    expect(result).toMatchObject({ ok: true, queryNorm: 1, bgmNorms: [1, 1], repeatDiff: 0 });
    expect(result.windowCosine).toBeLessThan(1);
  });

  it('fails outputs that are not unit vectors, not finite, of another size, not repeatable or blind to the input', async () => {
    const cases: [Parameters<typeof embedder>[0], RegExp][] = [
      [{ query: (v) => v.map((x) => 2 * x) }, /not L2-normalised: a norm is 2/],
      [{ music: (v) => v.map((x, i) => (i === 3 ? NaN : x)) }, /NaN or infinite/],
      [{ query: (v) => v.slice(0, 256) }, /256 dimensions, not 512/],
      [
        { music: (v, call) => (call === 2 ? normalise(v.map((x, i) => (i === 0 ? x + 0.01 : x))) : v) },
        /the same input gave outputs .* apart/,
      ],
      [{ music: () => normalise(new Array(512).fill(1)) }, /same embedding for two different windows/],
    ];
    for (const [tweak, reason] of cases) {
      const result = await probeModel(embedder(tweak), model);
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(reason);
    }
  });

  it('gives every caller the same probe input', async () => {
    const seen: Float32Array[] = [];
    const recording: Embedder = {
      embedQuery: (_m, clip) => (seen.push(clip.voice), Promise.resolve(unitFrom(clip.voice))),
      embedMusic: (_m, windows) => Promise.resolve(windows.map((w) => unitFrom(w.patches))),
    };
    await probeModel(recording, model);
    await probeModel(recording, model);
    expect(seen).toHaveLength(4);
    expect(seen[2]).toEqual(seen[0]);
  });
});

function normalise(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
