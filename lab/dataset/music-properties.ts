import { hertzToMel } from '../../src/features/mel-matrix';
import { logMelSpectrogram, VGGISH_PARAMS, type LogMel } from '../../src/features/vggish-logmel';

/**
 * Properties measured from the audio itself (no hand labels), which the generator's rules
 * follow: a per-second energy envelope, a per-second spectral centroid (brightness) and a
 * tempo from the autocorrelation of an onset-strength envelope. Everything is derived from the
 * same VGGish log-mel front end the model sees, so "brightness" means brightness within its
 * 125-7500 Hz band.
 */

// Bound once: inside a vm context (jest) every read of the global `Math` is intercepted.
const { exp, max } = Math;

/** Log-mel frames per second (10 ms hop). */
export const ANALYSIS_FRAME_RATE = Math.round(1 / VGGISH_PARAMS.hopSeconds);
/** Floor for the level of digital silence, so that envelopes stay finite (and JSON-safe). */
export const SILENCE_DB = -100;

export interface TempoOptions {
  minBpm?: number;
  maxBpm?: number;
  /** Centre of the log-normal prior that settles octave ambiguity (as librosa's beat tracker). */
  priorBpm?: number;
  /** Width of the prior in octaves. */
  priorOctaves?: number;
}

export interface MusicAnalysis {
  durationSec: number;
  /** RMS level of each second, dBFS; the last, partial second is included. */
  energyDb: number[];
  /** Energy-weighted mean mel-band frequency of each second, Hz. */
  centroidHz: number[];
  /** Onset strength at ANALYSIS_FRAME_RATE; kept in memory for segment tempo, not stored. */
  onsetEnvelope: Float32Array;
  tempoBpm: number;
}

export interface SegmentProperties {
  tempoBpm: number;
  /** Seconds from the segment start to its first beat (the phase of the beat grid). */
  beatPhaseSec: number;
  meanEnergyDb: number;
  meanCentroidHz: number;
  /** Per-second envelopes of the segment (second 0 = the segment's start). */
  energyDb: number[];
  centroidHz: number[];
}

let bandHz: Float64Array | undefined;

/** Centre frequency of each mel band of the front end. */
export function melBandCentresHz(): Float64Array {
  if (bandHz) return bandHz;
  const { melBins, melMinHz, melMaxHz } = VGGISH_PARAMS;
  const lo = hertzToMel(melMinHz);
  const step = (hertzToMel(melMaxHz) - lo) / (melBins + 1);
  bandHz = new Float64Array(melBins);
  for (let m = 0; m < melBins; m++) bandHz[m] = 700 * (Math.exp((lo + (m + 1) * step) / 1127) - 1);
  return bandHz;
}

/** RMS level per second of `pcm`, in dBFS, floored at SILENCE_DB. */
export function energyPerSecond(pcm: Float32Array, sampleRate: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < pcm.length; start += sampleRate) {
    const end = Math.min(pcm.length, start + sampleRate);
    let sum = 0;
    for (let i = start; i < end; i++) sum += (pcm[i] ?? 0) ** 2;
    const db = 10 * Math.log10(sum / (end - start));
    out.push(Number.isFinite(db) ? Math.max(SILENCE_DB, db) : SILENCE_DB);
  }
  return out;
}

/** Per-second spectral centroid from log-mel frames (weights: band magnitude). */
export function centroidPerSecond(logMel: LogMel, seconds: number): number[] {
  const centres = melBandCentresHz();
  const out: number[] = [];
  for (let s = 0; s < seconds; s++) {
    let weighted = 0;
    let total = 0;
    const end = Math.min(logMel.frames, (s + 1) * ANALYSIS_FRAME_RATE);
    for (let f = s * ANALYSIS_FRAME_RATE; f < end; f++) {
      for (let m = 0; m < logMel.melBins; m++) {
        const magnitude = max(0, exp(logMel.data[f * logMel.melBins + m] ?? 0) - VGGISH_PARAMS.logOffset);
        weighted += magnitude * (centres[m] ?? 0);
        total += magnitude;
      }
    }
    out.push(total > 0 ? weighted / total : 0);
  }
  return out;
}

/** Mean positive log-mel difference between consecutive frames (spectral flux). */
export function onsetStrength(logMel: LogMel): Float32Array {
  const out = new Float32Array(logMel.frames);
  const bins = logMel.melBins;
  for (let f = 1; f < logMel.frames; f++) {
    let flux = 0;
    for (let m = 0; m < bins; m++) {
      const d = (logMel.data[f * bins + m] ?? 0) - (logMel.data[(f - 1) * bins + m] ?? 0);
      if (d > 0) flux += d;
    }
    out[f] = flux / bins;
  }
  return out;
}

/**
 * Tempo of an onset envelope: the lag that maximises its (mean-removed) autocorrelation times a
 * log-normal prior around priorBpm, refined by a parabola through the neighbouring lags.
 */
export function estimateTempo(
  onset: Float32Array,
  frameRate = ANALYSIS_FRAME_RATE,
  options: TempoOptions = {},
): number {
  const { minBpm = 50, maxBpm = 220, priorBpm = 120, priorOctaves = 1 } = options;
  const minLag = Math.max(1, Math.floor((60 * frameRate) / maxBpm));
  const maxLag = Math.min(onset.length - 1, Math.ceil((60 * frameRate) / minBpm));
  if (maxLag <= minLag) return priorBpm;
  let mean = 0;
  for (const v of onset) mean += v;
  mean /= onset.length;
  const centred = Float64Array.from(onset, (v) => v - mean);
  const score = new Float64Array(maxLag + 2);
  for (let lag = minLag - 1; lag <= maxLag + 1; lag++) {
    let ac = 0;
    for (let i = lag; i < centred.length; i++) ac += (centred[i] ?? 0) * (centred[i - lag] ?? 0);
    const octaves = Math.log2((60 * frameRate) / lag / priorBpm) / priorOctaves;
    score[lag] = Math.max(0, ac) * Math.exp(-0.5 * octaves * octaves);
  }
  let best = minLag;
  for (let lag = minLag; lag <= maxLag; lag++) if ((score[lag] ?? 0) > (score[best] ?? 0)) best = lag;
  if ((score[best] ?? 0) <= 0) return priorBpm;
  const [a, b, c] = [score[best - 1] ?? 0, score[best] ?? 0, score[best + 1] ?? 0];
  const denominator = a - 2 * b + c;
  const shift = denominator < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator)) : 0;
  return (60 * frameRate) / (best + shift);
}

/** Measures a whole track (16 kHz mono PCM) once; segments are cut from the result. */
export function analyzeMusic(pcm16k: Float32Array, tempoOptions: TempoOptions = {}): MusicAnalysis {
  const sampleRate = VGGISH_PARAMS.sampleRate;
  const energyDb = energyPerSecond(pcm16k, sampleRate);
  const logMel = logMelSpectrogram(pcm16k);
  const onsetEnvelope = onsetStrength(logMel);
  return {
    durationSec: pcm16k.length / sampleRate,
    energyDb,
    centroidHz: centroidPerSecond(logMel, energyDb.length),
    onsetEnvelope,
    tempoBpm: estimateTempo(onsetEnvelope, ANALYSIS_FRAME_RATE, tempoOptions),
  };
}

/** Offset of the beat grid (period 60 / bpm) that collects the most onset strength. */
export function beatPhase(onset: Float32Array, bpm: number, frameRate = ANALYSIS_FRAME_RATE): number {
  const period = (60 * frameRate) / bpm;
  let best = 0;
  let bestScore = -Infinity;
  for (let phase = 0; phase < Math.floor(period); phase++) {
    let score = 0;
    for (let t = phase; t < onset.length; t += period) score += onset[Math.round(t)] ?? 0;
    if (score > bestScore) [best, bestScore] = [phase, score];
  }
  return best / frameRate;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * The properties of the music a video plays: [offsetSec, offsetSec + durationSec) of the track.
 * A segment that runs past the end wraps around, as the training reader loops music.
 */
export function segmentProperties(a: MusicAnalysis, offsetSec: number, durationSec: number): SegmentProperties {
  const seconds = Math.max(1, Math.ceil(durationSec));
  const first = Math.floor(offsetSec);
  const at = (xs: readonly number[], s: number) => xs[(first + s) % xs.length] ?? 0;
  const energyDb = Array.from({ length: seconds }, (_, s) => at(a.energyDb, s));
  const centroidHz = Array.from({ length: seconds }, (_, s) => at(a.centroidHz, s));
  const start = Math.round(offsetSec * ANALYSIS_FRAME_RATE);
  const length = Math.round(durationSec * ANALYSIS_FRAME_RATE);
  const onset = new Float32Array(length);
  for (let i = 0; i < length; i++) onset[i] = a.onsetEnvelope[(start + i) % a.onsetEnvelope.length] ?? 0;
  const tempoBpm = estimateTempo(onset);
  return {
    tempoBpm,
    beatPhaseSec: beatPhase(onset, tempoBpm),
    meanEnergyDb: mean(energyDb),
    meanCentroidHz: mean(centroidHz),
    energyDb,
    centroidHz,
  };
}
