import type { MusicClip } from '../inference/embedder';
import { SecondLevels } from './second-levels';
import { logMelSpectrogram, VGGISH_PARAMS } from './vggish-logmel';

export const CLIP_SECONDS = 32;
/** 33 x 96 frames x 10 ms = 31.68 s: the last 0.32 s of a 32 s clip is not used. */
export const PATCHES_PER_CLIP = 33;
export const CLIP_SAMPLES = CLIP_SECONDS * VGGISH_PARAMS.sampleRate;
/** Floats in one clip tensor [33, 96, 64]. */
export const CLIP_PATCH_FLOATS = PATCHES_PER_CLIP * VGGISH_PARAMS.patchFrames * VGGISH_PARAMS.melBins;
export const DEFAULT_MIN_TAIL_SECONDS = 8;

/** Repeats `pcm` from its start until it is `length` samples long (or cuts it to `length`). */
export function loopToLength(pcm: Float32Array, length: number): Float32Array {
  if (pcm.length === 0) throw new RangeError('cannot loop empty audio');
  if (pcm.length >= length) return pcm.subarray(0, length);
  const out = new Float32Array(length);
  for (let at = 0; at < length; at += pcm.length) out.set(pcm.subarray(0, Math.min(pcm.length, length - at)), at);
  return out;
}

/**
 * The model input for one 32 s clip starting at `startSeconds`: [33, 96, 64] log-mel patches.
 * Audio that ends before the clip does is repeated from the clip's start (paper §4.2), so a
 * 10 s voice-over and the last, partial window of a song both fill the whole clip.
 */
export function clipPatches(pcm16k: Float32Array, startSeconds = 0): Float32Array {
  const startSample = Math.round(startSeconds * VGGISH_PARAMS.sampleRate);
  if (!(startSample >= 0) || startSample >= pcm16k.length) {
    const seconds = pcm16k.length / VGGISH_PARAMS.sampleRate;
    throw new RangeError(`clip start ${startSeconds} s is outside the ${seconds} s of audio`);
  }
  const clip = loopToLength(pcm16k.subarray(startSample), CLIP_SAMPLES);
  const logMel = logMelSpectrogram(clip, PATCHES_PER_CLIP * VGGISH_PARAMS.patchFrames);
  return logMel.data;
}

/** How many seconds of the clip clipPatches makes from `pcm16k` (from its start) are the audio itself, not its loop. */
export function clipVoiceSeconds(pcm16k: Float32Array): number {
  return Math.min(pcm16k.length / VGGISH_PARAMS.sampleRate, CLIP_SECONDS);
}

export interface MusicWindow extends MusicClip {
  index: number;
  startSeconds: number;
}

/**
 * A track's per-second levels, measured on the first call and kept for its other windows: a track
 * embedded only for models that do not read levels (no manifest `musicLevels`) never pays the pass
 * over its audio.
 */
function levelsOf(pcm16k: Float32Array): (startSeconds: number) => Float32Array {
  let levels: SecondLevels | undefined;
  return (startSeconds) => (levels ??= new SecondLevels(pcm16k)).clip(startSeconds);
}

/** The music branch's input for one 32 s clip of `pcm16k` from `startSeconds` (looped as clipPatches). */
export function musicClip(pcm16k: Float32Array, startSeconds = 0, levelsAt = levelsOf(pcm16k)): MusicClip {
  return { patches: clipPatches(pcm16k, startSeconds), levelsDb: () => levelsAt(startSeconds) };
}

/**
 * Cuts a track into the 32 s windows that are embedded separately, so that a suggestion can
 * carry a start offset. With the default hop, window k starts at 32 k s; a final partial window is
 * looped when it lasts at least minTailSeconds and dropped otherwise; the first window is always
 * kept, so a short non-empty track still gets one (looped) window.
 *
 * A model may ask for overlapping windows (manifest windowHopSeconds < 32): window k then starts
 * at k * hop, as long as a whole clip fits in the track (a track shorter than one clip gets one
 * looped window). Those windows are slices of one log-mel spectrogram of the whole track, which
 * equals each clip's own spectrogram (frames do not straddle the 10 ms grid the starts are on),
 * so a track is transformed once however many windows it has.
 */
export function musicWindows(
  pcm16k: Float32Array,
  hopSeconds: number = CLIP_SECONDS,
  minTailSeconds = DEFAULT_MIN_TAIL_SECONDS,
): MusicWindow[] {
  if (hopSeconds >= CLIP_SECONDS) return alignedWindows(pcm16k, minTailSeconds);
  const hopFrames = Math.round(hopSeconds / VGGISH_PARAMS.hopSeconds);
  if (hopFrames < 1 || Math.abs(hopFrames * VGGISH_PARAMS.hopSeconds - hopSeconds) > 1e-9) {
    throw new RangeError(`window hop ${hopSeconds} s is not a positive multiple of 10 ms`);
  }
  if (pcm16k.length < CLIP_SAMPLES) return alignedWindows(pcm16k, minTailSeconds);
  const whole = logMelSpectrogram(pcm16k);
  const levelsAt = levelsOf(pcm16k);
  const clipFrames = PATCHES_PER_CLIP * VGGISH_PARAMS.patchFrames;
  const count = Math.floor((pcm16k.length - CLIP_SAMPLES) / (hopFrames * HOP_SAMPLES)) + 1;
  return Array.from({ length: count }, (_, index) => {
    const first = index * hopFrames * whole.melBins;
    const startSeconds = Math.round(index * hopFrames) / 100;
    return {
      index,
      startSeconds,
      patches: whole.data.subarray(first, first + clipFrames * whole.melBins),
      levelsDb: () => levelsAt(startSeconds),
    };
  });
}

const HOP_SAMPLES = Math.round(VGGISH_PARAMS.sampleRate * VGGISH_PARAMS.hopSeconds);

function alignedWindows(pcm16k: Float32Array, minTailSeconds: number): MusicWindow[] {
  const windows: MusicWindow[] = [];
  const minTail = minTailSeconds * VGGISH_PARAMS.sampleRate;
  const levelsAt = levelsOf(pcm16k);
  for (let index = 0, start = 0; start < pcm16k.length; index++, start += CLIP_SAMPLES) {
    const remaining = pcm16k.length - start;
    if (index > 0 && remaining < CLIP_SAMPLES && remaining < minTail) break;
    windows.push({ index, startSeconds: index * CLIP_SECONDS, ...musicClip(pcm16k, index * CLIP_SECONDS, levelsAt) });
  }
  return windows;
}
