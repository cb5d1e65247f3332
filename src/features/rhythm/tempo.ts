/** Tempo search range; outside it a periodicity is more likely a bar or a subdivision than the beat. */
export const MIN_BPM = 40;
export const MAX_BPM = 240;

/**
 * Prior over tempo: a log-normal centred on 120 BPM, one octave wide (as librosa's beat tracker
 * uses), so that of the beat, its half and its double, the one nearest a typical tempo wins.
 */
const PRIOR_CENTER_BPM = 120;
const PRIOR_OCTAVES = 1;

/**
 * No beat without onsets: an envelope whose standard deviation is below this (in nats of log-mel
 * rise, ~0.1 dB) is a steady sound. A steady tone's flux ripples periodically at ~0.005.
 */
const MIN_ONSET_STD = 0.01;

/**
 * No beat without periodicity: the autocorrelation at the chosen period over that at lag 0. White
 * noise gives ~0.06; the Debian music packages' tracks gave 0.44-0.85, click tracks ~1.
 */
const MIN_PERIODICITY = 0.15;

export interface TempoEstimate {
  bpm: number;
  /** Beat period in envelope frames (fractional). */
  periodFrames: number;
}

/**
 * Global tempo of an onset envelope by autocorrelation weighted with the tempo prior; the peak
 * lag is refined by a parabola through its neighbours, since 10 ms frames alone would put 90 BPM
 * (a 66.7-frame period) half a BPM off. Returns null when the envelope has no periodicity at all.
 */
export function estimateTempo(envelope: Float32Array, fps: number): TempoEstimate | null {
  const minLag = Math.floor((60 * fps) / MAX_BPM);
  const maxLag = Math.ceil((60 * fps) / MIN_BPM);
  const n = envelope.length;
  if (n < 2 * maxLag) return null;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += envelope[i]!;
  mean /= n;
  const centred = new Float64Array(n);
  for (let i = 0; i < n; i++) centred[i] = envelope[i]! - mean;

  // Index = lag; one extra on each side for the parabola.
  const ac = new Float64Array(maxLag + 2);
  for (let lag = Math.max(1, minLag - 1); lag <= maxLag + 1; lag++) {
    let sum = 0;
    for (let i = 0; i + lag < n; i++) sum += centred[i]! * centred[i + lag]!;
    ac[lag] = sum / (n - lag);
  }
  let best = -1;
  let bestScore = 0;
  for (let lag = minLag; lag <= maxLag; lag++) {
    const bpm = (60 * fps) / lag;
    const octaves = Math.log2(bpm / PRIOR_CENTER_BPM) / PRIOR_OCTAVES;
    const score = ac[lag]! * Math.exp(-0.5 * octaves * octaves);
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  const variance = centredVariance(centred);
  if (best < 0 || Math.sqrt(variance) < MIN_ONSET_STD || ac[best]! / variance < MIN_PERIODICITY) return null;
  const periodFrames = best + parabolicOffset(ac[best - 1]!, ac[best]!, ac[best + 1]!);
  return { bpm: (60 * fps) / periodFrames, periodFrames };
}

function centredVariance(centred: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < centred.length; i++) sum += centred[i]! * centred[i]!;
  return sum / centred.length;
}

/** Where the vertex of the parabola through (-1, a), (0, b), (1, c) lies, within [-0.5, 0.5]. */
export function parabolicOffset(a: number, b: number, c: number): number {
  const denominator = a - 2 * b + c;
  if (denominator >= 0) return 0; // not a peak
  return Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator));
}
