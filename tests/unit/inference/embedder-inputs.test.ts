import { clipVoiceSeconds } from '../../../src/features/clip';
import { OnnxEmbedder, type QueryClip } from '../../../src/inference/embedder';
import type { ModelFolder, ModelManifest } from '../../../src/inference/model-manifest';
import type { OnnxPool, Tensor } from '../../../src/inference/onnx-pool';

/** One layer: what OnnxEmbedder hands the pool (the graphs themselves are tested in training/tests). */
function recordingPool() {
  const calls: Record<string, Tensor>[] = [];
  const pool = {
    run: (_path: string, inputs: Record<string, Tensor>) => {
      calls.push(inputs);
      return Promise.resolve({
        outputs: { embedding: { data: new Float32Array(512).fill(0.5), dims: [1, 512] } },
        ms: 1,
        provider: 'cpu',
      });
    },
  } as unknown as OnnxPool;
  return { pool, calls };
}

const model = (extra: Partial<ModelManifest> = {}): ModelFolder => ({
  dir: '/m',
  queryPath: '/m/query.onnx',
  bgmPath: '/m/bgm.onnx',
  manifest: {
    embeddingDim: 512,
    clipSeconds: 32,
    video: { fastFrames: 64, slowFrames: 8, height: 2, width: 2 },
    ...extra,
  } as ModelManifest,
});

const clip = (voiceSeconds?: number): QueryClip => ({
  fast: new Float32Array(64 * 3 * 4),
  slow: new Float32Array(8 * 3 * 4),
  voice: new Float32Array(33 * 96 * 64),
  ...(voiceSeconds === undefined ? {} : { voiceSeconds }),
});

describe('OnnxEmbedder query inputs', () => {
  it('feeds the voice-over length to a model that declares voiceSeconds, bounded to the 32 s clip', async () => {
    const { pool, calls } = recordingPool();
    const embedder = new OnnxEmbedder(pool, 8);
    const masked = model({ voiceSeconds: { input: 'voice_seconds' } });
    for (const seconds of [20.5, 45, undefined]) await embedder.embedQuery(masked, clip(seconds));
    expect(calls.map((c) => Array.from(c.voice_seconds!.data))).toEqual([[20.5], [32], [32]]);
    expect(calls[0]!.voice_seconds!.dims).toEqual([1]);
  });

  it('gives a model without voiceSeconds exactly the three inputs it was exported with', async () => {
    const { pool, calls } = recordingPool();
    await new OnnxEmbedder(pool, 8).embedQuery(model(), clip(20));
    expect(Object.keys(calls[0]!).sort()).toEqual(['video_fast', 'video_slow', 'voice']);
  });
});

describe('clipVoiceSeconds', () => {
  it('is the audio length up to the clip', () => {
    expect(clipVoiceSeconds(new Float32Array(16_000 * 12.5))).toBe(12.5);
    expect(clipVoiceSeconds(new Float32Array(16_000 * 50))).toBe(32);
  });
});
