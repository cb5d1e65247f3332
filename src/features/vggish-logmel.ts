import FFT from 'fft.js';
import { periodicHann, spectrogramToMelMatrix } from './mel-matrix';

/** The VGGish front end (vggish_params.py); manifest.audio must match these. */
export const VGGISH_PARAMS = {
  sampleRate: 16_000,
  windowSeconds: 0.025,
  hopSeconds: 0.01,
  fftSize: 512,
  melBins: 64,
  melMinHz: 125,
  melMaxHz: 7500,
  logOffset: 0.01,
  patchFrames: 96,
} as const;

const WINDOW = Math.round(VGGISH_PARAMS.sampleRate * VGGISH_PARAMS.windowSeconds); // 400
const HOP = Math.round(VGGISH_PARAMS.sampleRate * VGGISH_PARAMS.hopSeconds); // 160
const FFT_SIZE = VGGISH_PARAMS.fftSize;
const MEL_BINS = VGGISH_PARAMS.melBins;
const LOG_OFFSET = VGGISH_PARAMS.logOffset;
const SPECTRUM_BINS = FFT_SIZE / 2 + 1;
// Bound once: inside a vm context (jest) every read of the global `Math` goes through the
// context's interceptor, which made the per-bin loop ~8x slower.
const { log, sqrt } = Math;

/** Row-major [frames, melBins] log-mel spectrogram. */
export interface LogMel {
  frames: number;
  melBins: number;
  data: Float32Array;
}

/** Row-major [count, patchFrames, melBins]: non-overlapping 0.96 s examples. */
export interface Patches {
  count: number;
  patchFrames: number;
  melBins: number;
  data: Float32Array;
}

/** Each mel band touches a few adjacent FFT bins; keeping only those makes the product ~20x cheaper. */
interface SparseBand {
  firstBin: number;
  weights: Float64Array;
}

interface FrontEnd {
  fft: FFT;
  window: Float64Array;
  bands: SparseBand[];
  lastBin: number;
  frame: Float64Array;
  spectrum: Float64Array;
  magnitude: Float64Array;
}

let frontEnd: FrontEnd | undefined;

function buildFrontEnd(): FrontEnd {
  const matrix = spectrogramToMelMatrix(
    MEL_BINS,
    SPECTRUM_BINS,
    VGGISH_PARAMS.sampleRate,
    VGGISH_PARAMS.melMinHz,
    VGGISH_PARAMS.melMaxHz,
  );
  const bands: SparseBand[] = [];
  let lastBin = 0;
  for (let m = 0; m < MEL_BINS; m++) {
    let first = -1;
    let last = -1;
    for (let k = 0; k < SPECTRUM_BINS; k++) {
      if ((matrix[k * MEL_BINS + m] ?? 0) > 0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    const weights = new Float64Array(first < 0 ? 0 : last - first + 1);
    for (let i = 0; i < weights.length; i++) weights[i] = matrix[(first + i) * MEL_BINS + m] ?? 0;
    bands.push({ firstBin: Math.max(first, 0), weights });
    lastBin = Math.max(lastBin, last);
  }
  return {
    fft: new FFT(FFT_SIZE),
    window: periodicHann(WINDOW),
    bands,
    lastBin,
    frame: new Float64Array(FFT_SIZE),
    spectrum: new Float64Array(2 * FFT_SIZE),
    magnitude: new Float64Array(SPECTRUM_BINS),
  };
}

export function frameCount(samples: number): number {
  return samples < WINDOW ? 0 : 1 + Math.floor((samples - WINDOW) / HOP);
}

/**
 * log(mel(|STFT|) + 0.01) of 16 kHz mono PCM, as vggish_input.waveform_to_examples computes it
 * before framing. Only whole 25 ms windows count, so fewer than 400 samples give 0 frames.
 */
export function logMelSpectrogram(pcm16k: Float32Array, maxFrames = Infinity): LogMel {
  const fe = (frontEnd ??= buildFrontEnd());
  const frames = Math.min(frameCount(pcm16k.length), maxFrames);
  const data = new Float32Array(frames * MEL_BINS);
  const { fft, window, bands, lastBin, frame, spectrum, magnitude } = fe;

  for (let f = 0; f < frames; f++) {
    const offset = f * HOP;
    for (let n = 0; n < WINDOW; n++) frame[n] = (pcm16k[offset + n] ?? 0) * (window[n] ?? 0);
    fft.realTransform(spectrum, frame);
    for (let k = 1; k <= lastBin; k++) {
      const re = spectrum[2 * k] ?? 0;
      const im = spectrum[2 * k + 1] ?? 0;
      magnitude[k] = sqrt(re * re + im * im);
    }
    const row = f * MEL_BINS;
    for (let m = 0; m < MEL_BINS; m++) {
      const band = bands[m];
      let sum = 0;
      if (band) {
        const { weights, firstBin } = band;
        for (let i = 0; i < weights.length; i++) sum += (weights[i] ?? 0) * (magnitude[firstBin + i] ?? 0);
      }
      data[row + m] = log(sum + LOG_OFFSET);
    }
  }
  return { frames, melBins: MEL_BINS, data };
}

/** Non-overlapping patches of patchFrames frames; a trailing partial patch is dropped (as VGGish does). */
export function toPatches(logMel: LogMel, patchFrames: number = VGGISH_PARAMS.patchFrames): Patches {
  const count = Math.floor(logMel.frames / patchFrames);
  return {
    count,
    patchFrames,
    melBins: logMel.melBins,
    data: logMel.data.slice(0, count * patchFrames * logMel.melBins),
  };
}
