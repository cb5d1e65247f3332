/**
 * Ports of the VGGish reference (tensorflow/models research/audioset/vggish/mel_features.py):
 * periodic_hann, hertz_to_mel and spectrogram_to_mel_matrix, in float64 as NumPy computes them.
 */

const MEL_BREAK_FREQUENCY_HERTZ = 700.0;
const MEL_HIGH_FREQUENCY_Q = 1127.0;

/** "Periodic" Hann (as used for STFT analysis), not the symmetric one: cos over N, not N - 1. */
export function periodicHann(windowLength: number): Float64Array {
  const w = new Float64Array(windowLength);
  for (let n = 0; n < windowLength; n++) w[n] = 0.5 - 0.5 * Math.cos(((2 * Math.PI) / windowLength) * n);
  return w;
}

export function hertzToMel(hz: number): number {
  return MEL_HIGH_FREQUENCY_Q * Math.log(1.0 + hz / MEL_BREAK_FREQUENCY_HERTZ);
}

/** numpy.linspace(start, stop, num) including its exact endpoint. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** Row-major [numSpectrogramBins, numMelBins], like the reference's return value. */
export function spectrogramToMelMatrix(
  numMelBins: number,
  numSpectrogramBins: number,
  sampleRate: number,
  lowerEdgeHertz: number,
  upperEdgeHertz: number,
): Float64Array {
  const nyquist = sampleRate / 2;
  if (lowerEdgeHertz < 0 || lowerEdgeHertz >= upperEdgeHertz || upperEdgeHertz > nyquist) {
    throw new RangeError(`bad mel band edges ${lowerEdgeHertz}..${upperEdgeHertz} Hz for nyquist ${nyquist} Hz`);
  }
  const binsMel = linspace(0, nyquist, numSpectrogramBins).map(hertzToMel);
  const edges = linspace(hertzToMel(lowerEdgeHertz), hertzToMel(upperEdgeHertz), numMelBins + 2);
  const matrix = new Float64Array(numSpectrogramBins * numMelBins);
  for (let m = 0; m < numMelBins; m++) {
    const lower = edges[m] ?? 0;
    const center = edges[m + 1] ?? 0;
    const upper = edges[m + 2] ?? 0;
    for (let k = 0; k < numSpectrogramBins; k++) {
      const mel = binsMel[k] ?? 0;
      const lowerSlope = (mel - lower) / (center - lower);
      const upperSlope = (upper - mel) / (upper - center);
      matrix[k * numMelBins + m] = Math.max(0, Math.min(lowerSlope, upperSlope));
    }
  }
  // As in the reference: HTK excludes the DC bin, so it always gets a zero weight.
  for (let m = 0; m < numMelBins; m++) matrix[m] = 0;
  return matrix;
}
