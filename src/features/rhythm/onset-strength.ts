import { logMelSpectrogram, VGGISH_PARAMS } from '../vggish-logmel';

/** Envelope frames per second: the log-mel hop (10 ms). */
export const ONSET_FPS = 1 / VGGISH_PARAMS.hopSeconds;

/**
 * Mel bands counted as "low" for downbeat detection: the lowest 8 of the 64 (about 125-440 Hz),
 * where kick drums and bass notes that mark a bar usually sit.
 */
const LOW_BANDS = 8;

/**
 * Envelope frame f is timed at the centre of its 25 ms window (f x 10 ms + 12.5 ms). On the click
 * tracks of tests/unit/features/rhythm the beats it gives lie 4-7 ms from the clicks, inside one
 * frame, so no further latency correction is applied (docs/MUSIC_ANALYSIS.md).
 */
export const ONSET_FRAME_OFFSET_SECONDS = 0.0125;

export interface OnsetStrength {
  fps: number;
  /** Seconds of envelope frame 0; frame f is at offset + f / fps. */
  offsetSeconds: number;
  /** Spectral flux: mean over all mel bands of the rise in log magnitude from the frame before. */
  envelope: Float32Array;
  /** The same over the low bands only. */
  low: Float32Array;
}

/**
 * Onset strength of 16 kHz mono PCM by log-mel spectral flux (half-wave rectified), on the same
 * log-mel front end the embedder uses, so one implementation of the STFT serves both.
 */
export function onsetStrength(pcm16k: Float32Array): OnsetStrength {
  const mel = logMelSpectrogram(pcm16k);
  const bins = mel.melBins;
  const envelope = new Float32Array(mel.frames);
  const low = new Float32Array(mel.frames);
  const { data } = mel;
  for (let f = 1; f < mel.frames; f++) {
    let all = 0;
    let lowSum = 0;
    const row = f * bins;
    const prev = row - bins;
    for (let m = 0; m < bins; m++) {
      const rise = data[row + m]! - data[prev + m]!;
      if (rise > 0) {
        all += rise;
        if (m < LOW_BANDS) lowSum += rise;
      }
    }
    envelope[f] = all / bins;
    low[f] = lowSum / LOW_BANDS;
  }
  return { fps: ONSET_FPS, offsetSeconds: ONSET_FRAME_OFFSET_SECONDS, envelope, low };
}
