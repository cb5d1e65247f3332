import { clamp01, type Rng } from './prng';
import type { SegmentProperties } from './music-properties';

/**
 * How strongly each modality follows the music. A generated parameter x in [0, 1] is
 *   x = clamp01(strength * driver + (1 - strength) * persona + noise * N(0, 1))
 * where driver is a music property scaled to [0, 1], persona a per-video random value (the
 * creator's own habits, unrelated to the music) and N fresh Gaussian noise per draw.
 */
export interface ModalityKnobs {
  strength: number;
  noise: number;
}

/**
 * How the voice-over is delivered, beyond what follows the music: how wide the loudness range
 * that follows the music's energy is, how long the creator may pause, and whether each line is
 * levelled before that gain (espeak-ng's voices and texts differ in level by several dB, which
 * otherwise hides the gain). Denser, wider, levelled delivery makes the music's energy envelope
 * audible in the voice-over (docs/DATASET.md, "How much the voice-over can tell").
 */
export interface VoiceDelivery {
  gainRangeDb: number;
  /** Longest pause between lines, in beats (the creator's talkativeness picks 1..this). */
  maxGapBeats: number;
  levelLines: boolean;
}

export interface GenerationKnobs {
  voice: ModalityKnobs;
  video: ModalityKnobs;
  /** Absent: DEFAULT_DELIVERY (the rule docs/RESULTS-2026-11.md was measured with). */
  delivery?: VoiceDelivery;
}

export const DEFAULT_DELIVERY: VoiceDelivery = { gainRangeDb: 15, maxGapBeats: 8, levelLines: false };

export const DEFAULT_KNOBS: GenerationKnobs = {
  voice: { strength: 0.8, noise: 0.1 },
  video: { strength: 0.25, noise: 0.15 },
};

export function mixDriver(knobs: ModalityKnobs, driver: number, persona: number, rng: Rng): number {
  return clamp01(knobs.strength * driver + (1 - knobs.strength) * persona + knobs.noise * rng.normal());
}

/** Empirical CDF of a sample: maps a value to its quantile in [0, 1]. */
export class QuantileScale {
  private readonly sorted: Float64Array;

  constructor(values: readonly number[]) {
    if (values.length === 0) throw new RangeError('a scale needs at least one value');
    this.sorted = Float64Array.from(values).sort();
  }

  quantile(x: number): number {
    const s = this.sorted;
    if (s.length === 1) return 0.5;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((s[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return clamp01(lo / (s.length - 1));
  }
}

/** Scales fitted on every second of every selected track, so drivers spread over [0, 1]. */
export interface MusicScales {
  energy: QuantileScale;
  centroid: QuantileScale;
}

/** Tempo on a fixed log scale: 60 BPM -> 0, 180 BPM -> 1 (tempo is one number per segment). */
export const tempoDriver = (bpm: number): number => clamp01(Math.log2(bpm / 60) / Math.log2(3));

/** The music, as the generator sees it: drivers in [0, 1] for each second of the segment. */
export interface SegmentDrivers {
  tempo: number;
  beatSec: number;
  /** Seconds from the segment start to its first beat. */
  beatPhaseSec: number;
  energy: (second: number) => number;
  centroid: (second: number) => number;
  meanEnergy: number;
}

export function segmentDrivers(segment: SegmentProperties, scales: MusicScales): SegmentDrivers {
  const energy = segment.energyDb.map((db) => scales.energy.quantile(db));
  const centroid = segment.centroidHz.map((hz) => scales.centroid.quantile(hz));
  const at = (xs: number[], second: number) => xs[Math.max(0, Math.min(xs.length - 1, Math.floor(second)))] ?? 0.5;
  return {
    tempo: tempoDriver(segment.tempoBpm),
    beatSec: 60 / segment.tempoBpm,
    beatPhaseSec: segment.beatPhaseSec,
    energy: (s) => at(energy, s),
    centroid: (s) => at(centroid, s),
    meanEnergy: energy.reduce((a, b) => a + b, 0) / Math.max(1, energy.length),
  };
}
