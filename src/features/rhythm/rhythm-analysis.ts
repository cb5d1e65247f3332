import { downbeatIndices } from './downbeats';
import { energyCurve } from './energy-curve';
import { onsetStrength } from './onset-strength';
import { estimateTempo } from './tempo';
import { trackBeats } from './beat-tracker';

export const ENERGY_HOP_SECONDS = 0.5;

/** Fewer beats than this give no tempo from beat intervals (the autocorrelation's is kept). */
const MIN_BEATS_FOR_INTERVAL_TEMPO = 8;

export interface RhythmAnalysis {
  /** Null when the audio has no detectable beat (a drone, speech). */
  tempoBpm: number | null;
  /** Beat times in seconds from the start, ascending, to the millisecond. */
  beats: number[];
  /** The beats that start a bar (a subset of beats). */
  downbeats: number[];
  energyHopSeconds: number;
  /** RMS dBFS per energyHopSeconds block. */
  energyDb: number[];
}

/**
 * Tempo, beats, downbeats and an energy curve of 16 kHz mono PCM. The reported tempo is 60 over
 * the median interval of the tracked beats (each placed to a fraction of a frame) when there are
 * enough of them: steadier than the autocorrelation peak, which only gives the period search a start.
 */
export function analyzeRhythm(pcm16k: Float32Array, sampleRate: number): RhythmAnalysis {
  const energyDb = energyCurve(pcm16k, sampleRate, ENERGY_HOP_SECONDS);
  const onsets = onsetStrength(pcm16k);
  const tempo = estimateTempo(onsets.envelope, onsets.fps);
  if (!tempo) return { tempoBpm: null, beats: [], downbeats: [], energyHopSeconds: ENERGY_HOP_SECONDS, energyDb };

  const beatFrames = trackBeats(onsets.envelope, tempo.periodFrames);
  const toSeconds = (f: number) => Math.round((onsets.offsetSeconds + f / onsets.fps) * 1000) / 1000;
  const beats = beatFrames.map(toSeconds);
  const downbeats = downbeatIndices(beatFrames, onsets.envelope, onsets.low).map((i) => beats[i]!);
  return {
    tempoBpm: round2(intervalTempo(beatFrames, onsets.fps) ?? tempo.bpm),
    beats,
    downbeats,
    energyHopSeconds: ENERGY_HOP_SECONDS,
    energyDb,
  };
}

/**
 * 60 over the least-squares slope of beat time against beat number, where a gap of about two
 * median intervals counts as two beats (a beat the tracker skipped): each beat's sub-frame error
 * averages out, which a median interval alone would keep (90 BPM read 89.7 that way).
 */
function intervalTempo(beatFrames: number[], fps: number): number | null {
  if (beatFrames.length < MIN_BEATS_FOR_INTERVAL_TEMPO) return null;
  const intervals = beatFrames.slice(1).map((f, i) => f - beatFrames[i]!);
  const sorted = [...intervals].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const numbers = [0];
  for (const interval of intervals)
    numbers.push(numbers[numbers.length - 1]! + Math.max(1, Math.round(interval / median)));
  const n = beatFrames.length;
  const meanX = numbers.reduce((a, b) => a + b, 0) / n;
  const meanY = beatFrames.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (numbers[i]! - meanX) * (beatFrames[i]! - meanY);
    sxx += (numbers[i]! - meanX) ** 2;
  }
  const framesPerBeat = sxy / sxx;
  return framesPerBeat > 0 ? (60 * fps) / framesPerBeat : null;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
