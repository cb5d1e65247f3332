import { VGGISH_PARAMS } from './vggish-logmel';

/** Seconds of level a music window carries: one per whole second of the 31.68 s the model hears. */
export const LEVEL_BINS = 31;
/** A silent second's level (the lab generator's floor, lab/dataset/music-properties.ts SILENCE_DB). */
export const SILENCE_DB = -100;

/**
 * Full-band RMS level (dBFS) of each second of a clip of `pcm16k` starting anywhere, from one pass
 * of prefix sums over the whole track, so a track with hundreds of overlapping windows costs one
 * pass. Why it exists: a model's timing head may read the music's loudness per second from the
 * audio itself (manifest `musicLevels`, docs/MODEL_CONTRACT.md), because the log-mel starts at
 * 125 Hz and misses the bass that most of a track's energy is (docs/RESULTS.md, round 22).
 * A clip that runs past the end of the audio is looped from the start, as the clip's log-mel is.
 */
export class SecondLevels {
  private readonly prefix: Float64Array;

  constructor(private readonly pcm16k: Float32Array) {
    this.prefix = new Float64Array(pcm16k.length + 1);
    for (let i = 0; i < pcm16k.length; i++) this.prefix[i + 1] = this.prefix[i]! + pcm16k[i]! * pcm16k[i]!;
  }

  /** [bins] levels of the seconds [start + b, start + b + 1) in dBFS, floored at SILENCE_DB. */
  clip(startSeconds: number, bins = LEVEL_BINS): Float32Array {
    const rate = VGGISH_PARAMS.sampleRate;
    const start = Math.round(startSeconds * rate);
    if (!(start >= 0) || start >= this.pcm16k.length) {
      throw new RangeError(`clip start ${startSeconds} s is outside the ${this.pcm16k.length / rate} s of audio`);
    }
    const out = new Float32Array(bins);
    for (let b = 0; b < bins; b++) {
      const db = 10 * Math.log10(this.sumOfSquares(start, b * rate, rate) / rate);
      out[b] = Number.isFinite(db) ? Math.max(SILENCE_DB, db) : SILENCE_DB;
    }
    return out;
  }

  /**
   * Sum of squares of `count` samples from `offset` into the clip that starts at sample `start`;
   * past the end of the audio the clip repeats from its own start (src/features/clip.ts loopToLength).
   */
  private sumOfSquares(start: number, offset: number, count: number): number {
    const length = this.pcm16k.length - start;
    let at = offset % length;
    let left = count;
    let sum = 0;
    while (left > 0) {
      const take = Math.min(left, length - at);
      sum += this.prefix[start + at + take]! - this.prefix[start + at]!;
      left -= take;
      at = 0;
    }
    return sum;
  }
}
