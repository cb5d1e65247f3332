import { parabolicOffset } from './tempo';

/**
 * How strongly beats keep to the tempo (Ellis 2007's alpha; librosa's default "tightness"): the
 * cost of an interval t is tightness x log(t / period)^2.
 */
const TIGHTNESS = 100;

/**
 * Dynamic-programming beat tracking (D. Ellis, "Beat Tracking by Dynamic Programming", 2007):
 * the beat sequence that maximises onset strength at the beats minus a penalty for intervals
 * that stray from the period. Returns beat positions in fractional envelope frames, each moved to
 * the onset peak within a quarter of a 10 ms frame's neighbourhood (parabola), in time order.
 */
export function trackBeats(envelope: Float32Array, periodFrames: number): number[] {
  const n = envelope.length;
  if (n === 0 || !(periodFrames > 1)) return [];
  const local = localScore(normalised(envelope), periodFrames);

  const cumulative = new Float64Array(n);
  const backlink = new Int32Array(n).fill(-1);
  const from = Math.round(2 * periodFrames);
  const to = Math.max(1, Math.round(periodFrames / 2));
  let localMax = 0;
  for (let i = 0; i < n; i++) localMax = Math.max(localMax, local[i]!);
  let started = false;
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let bestAt = -1;
    for (let prev = Math.max(0, i - from); prev <= i - to; prev++) {
      const ratio = Math.log((i - prev) / periodFrames);
      const score = cumulative[prev]! - TIGHTNESS * ratio * ratio;
      if (score > best) {
        best = score;
        bestAt = prev;
      }
    }
    cumulative[i] = local[i]! + (bestAt >= 0 ? best : 0);
    // Until the first real onset, a frame starts a sequence rather than continuing one from silence.
    if (!started && local[i]! < 0.01 * localMax) backlink[i] = -1;
    else {
      backlink[i] = bestAt;
      started = true;
    }
  }

  const frames: number[] = [];
  for (let at = lastBeat(cumulative); at >= 0; at = backlink[at]!) frames.push(at);
  frames.reverse();
  return trimWeakEnds(local, frames).map((f) => refineToPeak(envelope, f));
}

function normalised(envelope: Float32Array): Float64Array {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < envelope.length; i++) {
    sum += envelope[i]!;
    sumSq += envelope[i]! * envelope[i]!;
  }
  const mean = sum / envelope.length;
  const std = Math.sqrt(Math.max(sumSq / envelope.length - mean * mean, 0)) || 1;
  return Float64Array.from(envelope, (v) => v / std);
}

/** Onset strength smoothed by a Gaussian about 1/32 of a beat wide (Ellis' local score). */
function localScore(env: Float64Array, periodFrames: number): Float64Array {
  const half = Math.round(periodFrames);
  const kernel = new Float64Array(2 * half + 1);
  for (let k = -half; k <= half; k++) kernel[k + half] = Math.exp(-0.5 * ((k * 32) / periodFrames) ** 2);
  const out = new Float64Array(env.length);
  for (let i = 0; i < env.length; i++) {
    let sum = 0;
    for (let k = -half; k <= half; k++) {
      const j = i + k;
      if (j >= 0 && j < env.length) sum += kernel[k + half]! * env[j]!;
    }
    out[i] = sum;
  }
  return out;
}

/** The last local maximum of the cumulative score above half the median of its local maxima. */
function lastBeat(cumulative: Float64Array): number {
  const maxima: number[] = [];
  for (let i = 1; i + 1 < cumulative.length; i++) {
    if (cumulative[i]! > cumulative[i - 1]! && cumulative[i]! >= cumulative[i + 1]!) maxima.push(i);
  }
  if (maxima.length === 0) return cumulative.length - 1;
  const values = maxima.map((i) => cumulative[i]!).sort((a, b) => a - b);
  const threshold = 0.5 * values[Math.floor(values.length / 2)]!;
  for (let k = maxima.length - 1; k >= 0; k--) if (cumulative[maxima[k]!]! > threshold) return maxima[k]!;
  return maxima[maxima.length - 1]!;
}

/**
 * Drops leading and trailing beats weaker than half the RMS local score at beats: the DP keeps
 * ticking through silence before the music starts and after it ends.
 */
function trimWeakEnds(local: Float64Array, frames: number[]): number[] {
  if (frames.length === 0) return frames;
  let sumSq = 0;
  for (const f of frames) sumSq += local[f]! * local[f]!;
  const threshold = 0.5 * Math.sqrt(sumSq / frames.length);
  let start = 0;
  let end = frames.length;
  while (start < end && local[frames[start]!]! <= threshold) start++;
  while (end > start && local[frames[end - 1]!]! <= threshold) end--;
  return frames.slice(start, end);
}

/** Moves a beat to the highest onset within 3 frames (30 ms), to a fraction of a frame. */
function refineToPeak(envelope: Float32Array, frame: number): number {
  let peak = frame;
  for (let f = Math.max(1, frame - 3); f <= Math.min(envelope.length - 2, frame + 3); f++) {
    if (envelope[f]! > envelope[peak]!) peak = f;
  }
  if (peak < 1 || peak + 1 >= envelope.length) return peak;
  return peak + parabolicOffset(envelope[peak - 1]!, envelope[peak]!, envelope[peak + 1]!);
}
