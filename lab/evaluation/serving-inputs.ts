import { clipPatches, CLIP_SECONDS, clipVoiceSeconds, musicClip, musicWindows } from '../../src/features/clip';
import { logMelSpectrogram } from '../../src/features/vggish-logmel';
import type { MusicClip, QueryClip } from '../../src/inference/embedder';
import { decodeAudio } from '../../src/media/decode-audio';
import { decodeClipFrames } from '../../src/media/decode-frames';
import { probeMedia } from '../../src/media/probe';

/**
 * The model inputs of the serving path, computed by the serving code: a track is cut into 32 s
 * windows as EmbedTrackHandler does (decodeAudio + musicWindows), a query is the first 32 s of
 * the video's frames and voice-over, looped when shorter, as EmbedVideoHandler does
 * (decodeClipFrames + decodeAudio + clipPatches).
 */

const LIMITS = { maxFileBytes: 2 * 1024 ** 3, maxDurationSeconds: 30 * 60 };

export interface TrackFeatures {
  durationSec: number;
  /**
   * [33, 96, 64] log-mel patches of each 32 s window, for each window hop asked for (window k
   * starts at k * hop s, as musicWindows cuts them for the embed-track job).
   */
  windowsByHop: Map<number, MusicClip[]>;
  /**
   * A fixed audio descriptor that is not any model's: the mean and the standard deviation of each
   * of the 64 log-mel bins over the whole track (128 numbers). Distances in this space stand in
   * for the paper's "VGGish distance" (§4.3), which needs AudioSet weights we do not have.
   */
  fingerprint: number[];
  /** The music branch's input for the 32 s segments asked for (segmentClip). */
  segments: MusicClip[];
}

/**
 * The 32 s of music a video plays, from `offsetSec` (segment protocol, like training/mrcmv's
 * evaluation): a segment that runs past the end of the track wraps to its start, as the training
 * reader loops music.
 */
export function segmentClip(pcm16k: Float32Array, offsetSec: number): MusicClip {
  const start = Math.min(Math.max(0, Math.round(offsetSec * 16_000)), pcm16k.length - 1);
  const clip = new Float32Array(CLIP_SECONDS * 16_000);
  for (let i = 0; i < clip.length; i++) clip[i] = pcm16k[(start + i) % pcm16k.length]!;
  return musicClip(clip);
}

export async function trackFeatures(
  file: string,
  segmentOffsetsSec: readonly number[] = [],
  hopsSec: readonly number[] = [CLIP_SECONDS],
): Promise<TrackFeatures> {
  const info = await probeMedia(file, { ...LIMITS, requireAudio: true });
  const audio = await decodeAudio(file, {
    streamIndex: info.audio!.index,
    maxDurationSeconds: LIMITS.maxDurationSeconds,
    declaredDurationSeconds: info.audio!.durationSeconds,
  });
  return {
    durationSec: audio.durationSeconds,
    windowsByHop: new Map(hopsSec.map((hop) => [hop, musicWindows(audio.pcm, hop)])),
    fingerprint: logMelFingerprint(audio.pcm),
    segments: segmentOffsetsSec.map((o) => segmentClip(audio.pcm, o)),
  };
}

/** Mean and standard deviation of every log-mel bin over all frames: [mean_0..63, std_0..63]. */
export function logMelFingerprint(pcm16k: Float32Array): number[] {
  const mel = logMelSpectrogram(pcm16k);
  const bins = mel.melBins;
  const sum = new Float64Array(bins);
  const sq = new Float64Array(bins);
  for (let f = 0; f < mel.frames; f++) {
    for (let b = 0; b < bins; b++) {
      const x = mel.data[f * bins + b]!;
      sum[b] = sum[b]! + x;
      sq[b] = sq[b]! + x * x;
    }
  }
  const n = Math.max(1, mel.frames);
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sq, (s, b) => Math.sqrt(Math.max(0, s / n - mean[b]! ** 2)));
  return [...mean, ...std];
}

export async function queryFeatures(
  videoFile: string,
  voiceFile: string,
  size: { width: number; height: number },
): Promise<QueryClip> {
  const info = await probeMedia(videoFile, { ...LIMITS, requireVideo: true });
  const voiceInfo = await probeMedia(voiceFile, { ...LIMITS, requireAudio: true });
  const frames = await decodeClipFrames(videoFile, {
    width: size.width,
    height: size.height,
    streamIndex: info.video!.index,
    declaredDurationSeconds: info.video!.durationSeconds,
  });
  const voice = await decodeAudio(voiceFile, {
    streamIndex: voiceInfo.audio!.index,
    maxDurationSeconds: CLIP_SECONDS,
    declaredDurationSeconds: voiceInfo.audio!.durationSeconds,
  });
  return {
    fast: frames.fast,
    slow: frames.slow,
    voice: clipPatches(voice.pcm),
    voiceSeconds: clipVoiceSeconds(voice.pcm),
  };
}
