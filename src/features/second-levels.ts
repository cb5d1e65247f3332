import { VGGISH_PARAMS } from './vggish-logmel';

/** Seconds of level a music window carries: one per whole second of the 31.68 s the model hears. */
export const LEVEL_BINS = 31;
/** A silent second's level (the lab generator's floor, lab/dataset/music-properties.ts SILENCE_DB). */
export const SILENCE_DB = -100;

/** Samples per block of the running sum: 10 ms, the grid every clip start is on. */
const BLOCK = 160;

/**
 * Full-band RMS level (dBFS) of each second of a clip of `pcm16k` starting anywhere, from running
 * sums of squares kept per 10 ms block (a 30-minute track keeps 180k numbers, not one per sample),
 * so a track with hundreds of overlapping windows is squared once. Why it exists: a model's timing
 * head may read the music's loudness per second from the audio itself (manifest `musicLevels`,
 * docs/MODEL_CONTRACT.md), because the log-mel starts at 125 Hz and misses the bass that most of a
 * track's energy is (docs/RESULTS.md, round 22). A clip that runs past the end of the audio repeats
 * from its own start, as the clip's log-mel does (src/features/clip.ts loopToLength).
 */
export class SecondLevels {
  /** blocks[k] = sum of squares of the samples before block k. */
  private readonly blocks: Float64Array;

  constructor(private readonly pcm16k: Float32Array) {
    const count = Math.ceil(pcm16k.length / BLOCK);
    this.blocks = new Float64Array(count + 1);
    for (let k = 0; k < count; k++) {
      let sum = 0;
      for (let i = k * BLOCK, end = Math.min(pcm16k.length, i + BLOCK); i < end; i++) sum += pcm16k[i]! * pcm16k[i]!;
      this.blocks[k + 1] = this.blocks[k]! + sum;
    }
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
      const db = 10 * Math.log10(this.clipSum(start, b * rate, rate) / rate);
      out[b] = Number.isFinite(db) ? Math.max(SILENCE_DB, db) : SILENCE_DB;
    }
    return out;
  }

  /** Sum of squares of `count` samples from `offset` into the clip that starts at sample `start`. */
  private clipSum(start: number, offset: number, count: number): number {
    const length = this.pcm16k.length - start;
    let at = offset % length;
    let left = count;
    let sum = 0;
    while (left > 0) {
      const take = Math.min(left, length - at);
      sum += this.rangeSum(start + at, start + at + take);
      left -= take;
      at = 0;
    }
    return sum;
  }

  /** Sum of squares of samples [from, to): whole blocks from the running sums, the edges directly. */
  private rangeSum(from: number, to: number): number {
    const firstWhole = Math.ceil(from / BLOCK);
    const lastWhole = Math.floor(to / BLOCK);
    if (firstWhole >= lastWhole) return this.direct(from, to);
    return (
      this.direct(from, firstWhole * BLOCK) +
      this.blocks[lastWhole]! -
      this.blocks[firstWhole]! +
      this.direct(lastWhole * BLOCK, to)
    );
  }

  private direct(from: number, to: number): number {
    let sum = 0;
    for (let i = from; i < to; i++) sum += this.pcm16k[i]! * this.pcm16k[i]!;
    return sum;
  }
}
