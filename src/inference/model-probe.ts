import type { Embedder, MusicClip, QueryClip } from './embedder';
import type { ModelFolder } from './model-manifest';

/** Largest distance of an embedding's norm from 1 (the contract: L2-normalised outputs). */
export const PROBE_NORM_TOLERANCE = 1e-3;
/** Largest difference between two runs of the same input (another inference thread included). */
export const PROBE_REPEAT_TOLERANCE = 1e-5;

export interface ProbeResult {
  ok: boolean;
  /** The first check that failed, in words; absent when ok. */
  reason?: string;
  queryNorm: number;
  bgmNorms: number[];
  /** Largest |a - b| between the two runs of each branch. */
  repeatDiff: number;
  /** Cosine of the two probe windows: 1 means the music branch ignores its input. */
  windowCosine: number;
  queryMs: number;
  bgmMs: number;
}

/**
 * Runs both branches of a model folder on a fixed input, twice, and checks what every consumer of
 * a version relies on (docs/MODEL_CONTRACT.md): one finite 512-d embedding per input, unit norm,
 * the same output for the same input, and a music branch that tells two different windows apart.
 * The input is generated from a fixed seed, so every worker probes every version with the same bytes.
 */
export async function probeModel(embedder: Embedder, model: ModelFolder): Promise<ProbeResult> {
  const clip = probeClip(model);
  const windows = [probeWindow(1), probeWindow(2)];
  let started = Date.now();
  const [q1, q2] = [await embedder.embedQuery(model, clip), await embedder.embedQuery(model, clip)];
  const queryMs = (Date.now() - started) / 2;
  started = Date.now();
  const [m1, m2] = [await embedder.embedMusic(model, windows), await embedder.embedMusic(model, windows)];
  const bgmMs = (Date.now() - started) / 2;

  const dim = model.manifest.embeddingDim;
  const vectors = [q1, q2, ...m1, ...m2];
  const repeatDiff = Math.max(maxAbsDiff(q1, q2), ...m1.map((v, i) => maxAbsDiff(v, m2[i]!)));
  const result: ProbeResult = {
    ok: true,
    queryNorm: round(norm(q1)),
    bgmNorms: m1.map((v) => round(norm(v))),
    repeatDiff,
    windowCosine: m1.length === 2 ? round(dot(m1[0]!, m1[1]!)) : NaN,
    queryMs: Math.round(queryMs),
    bgmMs: Math.round(bgmMs),
  };
  const fail = (reason: string): ProbeResult => ({ ...result, ok: false, reason });
  if (m1.length !== windows.length) return fail(`music branch returned ${m1.length} embeddings for 2 windows`);
  if (vectors.some((v) => v.length !== dim))
    return fail(`an embedding has ${vectors.find((v) => v.length !== dim)!.length} dimensions, not ${dim}`);
  if (vectors.some((v) => !v.every(Number.isFinite))) return fail('an embedding holds NaN or infinite values');
  const worst = Math.max(...vectors.map((v) => Math.abs(norm(v) - 1)));
  if (worst > PROBE_NORM_TOLERANCE)
    return fail(
      `embeddings are not L2-normalised: a norm is ${round(1 + worst)} (contract: 1 +- ${PROBE_NORM_TOLERANCE})`,
    );
  if (repeatDiff > PROBE_REPEAT_TOLERANCE)
    return fail(`the same input gave outputs ${repeatDiff.toExponential(2)} apart (allowed ${PROBE_REPEAT_TOLERANCE})`);
  if (1 - dot(m1[0]!, m1[1]!) < 1e-6)
    return fail('the music branch gives the same embedding for two different windows');
  return result;
}

/** A deterministic pseudo-random stream (mulberry32): the probe input is the same everywhere. */
function stream(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const filled = (length: number, seed: number, lo: number, hi: number): Float32Array => {
  const next = stream(seed);
  return Float32Array.from({ length }, () => lo + (hi - lo) * next());
};

// Log-mel values of the front end lie roughly in [-14, 4] (log of mel energy + 0.01).
const probeWindow = (seed: number): MusicClip => ({
  patches: filled(33 * 96 * 64, 100 + seed, -14, 4),
  levelsDb: () => filled(31, 200 + seed, -40, 10),
});

function probeClip(model: ModelFolder): QueryClip {
  const { height: h, width: w, fastFrames, slowFrames } = model.manifest.video;
  return {
    fast: filled(fastFrames * 3 * h * w, 11, 0, 1),
    slow: filled(slowFrames * 3 * h * w, 12, 0, 1),
    voice: filled(33 * 96 * 64, 13, -14, 4),
  };
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (v: number[]) => Math.sqrt(dot(v, v));
const maxAbsDiff = (a: number[], b: number[]) =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] ?? NaN)) || 0), 0);
const round = (x: number) => Math.round(x * 1e6) / 1e6;
