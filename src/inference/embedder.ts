import type { ModelFolder } from './model-manifest';
import type { OnnxPool, Tensor } from './onnx-pool';

export interface QueryClip {
  /** [64, 3, H, W] in [0, 1] */
  fast: Float32Array;
  /** [8, 3, H, W] in [0, 1] */
  slow: Float32Array;
  /** [33, 96, 64] voice-over log-mel patches */
  voice: Float32Array;
  /**
   * How many seconds of `voice` are the voice-over itself rather than its loop (at most 32; the
   * clip's length when absent). Only models whose manifest declares `voiceSeconds` read it.
   */
  voiceSeconds?: number;
}

/** What the music branch embeds for one clip (src/features/clip.ts musicClip, musicWindows). */
export interface MusicClip {
  /** [33, 96, 64] log-mel patches */
  patches: Float32Array;
  /** [31] full-band RMS level of each second in dBFS (src/features/second-levels.ts), measured when
   * first asked for: only models whose manifest declares `musicLevels` ask. */
  levelsDb: () => Float32Array;
}

/** The inference seam: services and handlers embed through this, tests can fake it. */
export interface Embedder {
  /** One L2-normalised embedding per music window (its [33, 96, 64] log-mel and, when the model reads them, its levels). */
  embedMusic(model: ModelFolder, windows: MusicClip[], onProgress?: () => void): Promise<number[][]>;
  embedQuery(model: ModelFolder, clip: QueryClip): Promise<number[]>;
}

const PATCH_DIMS = [33, 96, 64];

/** Runs the model-version folder's ONNX files on the inference pool, in batches. */
export class OnnxEmbedder implements Embedder {
  constructor(
    private readonly pool: OnnxPool,
    private readonly batchSize: number,
    private readonly onInference?: (model: ModelFolder, branch: 'bgm' | 'query', ms: number, provider: string) => void,
  ) {}

  async embedMusic(model: ModelFolder, windows: MusicClip[], onProgress?: () => void): Promise<number[][]> {
    const out: number[][] = [];
    const levels = model.manifest.musicLevels;
    for (let i = 0; i < windows.length; i += this.batchSize) {
      const batch = windows.slice(i, i + this.batchSize);
      const inputs: Record<string, Tensor> = {
        music: { data: concat(batch.map((w) => w.patches)), dims: [batch.length, ...PATCH_DIMS] },
      };
      if (levels) {
        inputs[levels.input] = { data: concat(batch.map((w) => w.levelsDb())), dims: [batch.length, levels.bins] };
      }
      const result = await this.pool.run(model.bgmPath, inputs);
      this.onInference?.(model, 'bgm', result.ms, result.provider);
      out.push(...rows(result.outputs.embedding, model.manifest.embeddingDim));
      onProgress?.();
    }
    return out;
  }

  async embedQuery(model: ModelFolder, clip: QueryClip): Promise<number[]> {
    const { height: h, width: w, fastFrames, slowFrames } = model.manifest.video;
    const inputs: Record<string, Tensor> = {
      video_fast: { data: clip.fast, dims: [1, fastFrames, 3, h, w] },
      video_slow: { data: clip.slow, dims: [1, slowFrames, 3, h, w] },
      voice: { data: clip.voice, dims: [1, ...PATCH_DIMS] },
    };
    const seconds = model.manifest.voiceSeconds;
    if (seconds) {
      const clipSeconds = model.manifest.clipSeconds;
      const real = Math.min(Math.max(clip.voiceSeconds ?? clipSeconds, 0), clipSeconds);
      inputs[seconds.input] = { data: Float32Array.of(real), dims: [1] };
    }
    const result = await this.pool.run(model.queryPath, inputs);
    this.onInference?.(model, 'query', result.ms, result.provider);
    return rows(result.outputs.embedding, model.manifest.embeddingDim)[0]!;
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function rows(t: Tensor | undefined, dim: number): number[][] {
  if (!t || t.dims.length !== 2 || t.dims[1] !== dim) {
    throw new Error(`model output "embedding" has shape [${t?.dims.join(', ') ?? 'missing'}], expected [B, ${dim}]`);
  }
  return Array.from({ length: t.dims[0]! }, (_, i) => Array.from(t.data.subarray(i * dim, (i + 1) * dim)));
}

/** L2-normalised mean: one vector standing for all of a track's windows. */
export function meanDirection(vectors: number[][]): number[] {
  const dim = vectors[0]?.length ?? 0;
  const sum = new Array<number>(dim).fill(0);
  for (const v of vectors) for (let i = 0; i < dim; i++) sum[i]! += v[i]!;
  const norm = Math.hypot(...sum) || 1;
  return sum.map((x) => x / norm);
}
