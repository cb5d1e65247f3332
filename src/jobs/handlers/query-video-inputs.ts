import { clipPatches, clipVoiceSeconds } from '../../features/clip';
import { decodeAudio, type DecodeAudioOptions } from '../../media/decode-audio';
import { decodeClipAndVoice } from '../../media/decode-clip-and-voice';
import { type ClipFrames, type ClipFramesOptions, decodeClipFrames } from '../../media/decode-frames';
import { MediaError, MediaErrorCode } from '../../media/media-error';
import { type MediaInfo, probeMedia, type ProbeLimits } from '../../media/probe';

export interface FrameSize {
  width: number;
  height: number;
}

export interface QueryVideoInputs {
  /** The video file's probe (durations for the video row). */
  info: MediaInfo;
  /** The voice-over's first 32 s as log-mel patches (the separate file, else the video's own audio). */
  voicePatches: Float32Array;
  /** How many of the clip's seconds are the voice-over itself, not its loop (at most 32). */
  voiceSeconds: number;
  /** The whole voice-over (up to the duration bound), mono 16 kHz: its speech timeline is read from it. */
  voicePcm: Float32Array;
  /** The clip's frames per requested size, keyed `${width}x${height}`. */
  frames: Map<string, ClipFrames>;
}

export interface QueryVideoOptions {
  bounds: Omit<ProbeLimits, 'requireAudio' | 'requireVideo'>;
  /** Called before each long step (a job's heartbeat). */
  onProgress?: () => void;
  /** false: decode every frame (decodeClipFrames' skipNonReferenceFrames); for comparisons. */
  skipNonReferenceFrames?: boolean;
  /** false: keep the decoder's loop filter (decodeClipFrames' skipLoopFilter); for comparisons. */
  skipLoopFilter?: boolean;
  /** false: a separate voice-over is decoded in its own process, not with the frames; for comparisons. */
  oneProcess?: boolean;
}

export const frameSizeKey = (s: FrameSize) => `${s.width}x${s.height}`;

/** The sizes to decode, each once: during a roll-out both versions usually share one. */
function distinctSizes(sizes: readonly FrameSize[]): FrameSize[] {
  return [...new Map(sizes.map((size) => [frameSizeKey(size), size])).values()];
}

function frameOptions(info: MediaInfo, size: FrameSize, options: QueryVideoOptions): ClipFramesOptions {
  return {
    format: info.formatName,
    width: size.width,
    height: size.height,
    streamIndex: info.video!.index,
    declaredDurationSeconds: info.video!.durationSeconds,
    sourceSize: info.video!,
    skipNonReferenceFrames: options.skipNonReferenceFrames,
    skipLoopFilter: options.skipLoopFilter,
  };
}

function voiceOptions(voiceInfo: MediaInfo, bounds: QueryVideoOptions['bounds']): DecodeAudioOptions {
  return {
    format: voiceInfo.formatName,
    streamIndex: voiceInfo.audio!.index,
    maxDurationSeconds: bounds.maxDurationSeconds,
    declaredDurationSeconds: voiceInfo.audio!.durationSeconds,
  };
}

function inputsOf(info: MediaInfo, pcm: Float32Array, frames: Map<string, ClipFrames>): QueryVideoInputs {
  // The model hears the first 32 s; clipPatches reads no further (and loops a shorter voice-over).
  return { info, voicePatches: clipPatches(pcm), voiceSeconds: clipVoiceSeconds(pcm), voicePcm: pcm, frames };
}

/**
 * A separate voice-over once the video probed well: the first size's frames and the voice-over
 * from one ffmpeg process, which also stands in for the voice-over's probe
 * (decode-clip-and-voice.ts), the other sizes after it. Undefined when that process did not run
 * clean or the voice-over needs its probe's word: readQueryVideo then reads them apart, which
 * names the failure as it always has. The video probe's error, and a timeout or an abort of the
 * one process, are thrown as they are (the reads apart would meet them first, or wait out the same
 * bound again).
 */
async function readTogether(
  videoFile: string,
  voiceFile: string,
  videoProbe: Promise<MediaInfo>,
  sizes: readonly FrameSize[],
  options: QueryVideoOptions,
): Promise<QueryVideoInputs | undefined> {
  const info = await videoProbe;
  const [first, ...rest] = distinctSizes(sizes);
  if (!first || !info.video) return undefined;
  options.onProgress?.();
  const both = await decodeClipAndVoice(videoFile, frameOptions(info, first, options), voiceFile, {
    limits: options.bounds,
  });
  if (!both) return undefined;
  const frames = new Map([[frameSizeKey(first), both.frames]]);
  for (const size of rest) {
    options.onProgress?.();
    frames.set(frameSizeKey(size), await decodeClipFrames(videoFile, frameOptions(info, size, options)));
  }
  return inputsOf(info, both.voice.pcm, frames);
}

/**
 * Everything the query branch reads from a creator's video. A separate voice-over file is first
 * tried with the frames in one ffmpeg process, without a probe of its own (readTogether: two
 * process starts fewer, about 50 ms each with Debian's build). Otherwise, and whenever that does
 * not run clean, as two concurrent chains: the video (probe, then its frames at each size, one
 * ffmpeg pass per size) and the voice-over (probe when it is a separate file, decode, log-mel
 * patches). Each ffmpeg is its own process, so on two cores the voice-over's decode and features
 * hide behind the frame decode instead of adding to it. When both fail, the error is the one the
 * former sequential order met first (video probe, voice-over probe, missing audio, voice-over
 * decode, frames), so a file's error does not depend on timing.
 */
export async function readQueryVideo(
  videoFile: string,
  voiceFile: string | undefined,
  sizes: readonly FrameSize[],
  options: QueryVideoOptions,
): Promise<QueryVideoInputs> {
  const { bounds, onProgress } = options;
  const videoProbe = probeMedia(videoFile, { ...bounds, requireVideo: true });
  if (voiceFile && options.oneProcess !== false) {
    const together = await readTogether(videoFile, voiceFile, videoProbe, sizes, options);
    if (together) return together;
  }
  const voiceProbe = voiceFile ? probeMedia(voiceFile, { ...bounds, requireAudio: true }) : videoProbe;

  const voiceChain = (async () => {
    const voiceInfo = await voiceProbe;
    if (!voiceInfo.audio) {
      // Only meaningful once the video itself probed: its error comes first.
      await videoProbe;
      throw new MediaError(MediaErrorCode.NoAudio, 'the video has no audio track and no separate voice-over was given');
    }
    onProgress?.();
    const voice = await decodeAudio(voiceFile ?? videoFile, voiceOptions(voiceInfo, bounds));
    return voice.pcm;
  })();

  const framesChain = (async () => {
    const info = await videoProbe;
    const frames = new Map<string, ClipFrames>();
    for (const size of distinctSizes(sizes)) {
      onProgress?.();
      frames.set(frameSizeKey(size), await decodeClipFrames(videoFile, frameOptions(info, size, options)));
    }
    return frames;
  })();

  const [video, voice, frames] = await Promise.allSettled([videoProbe, voiceChain, framesChain]);
  // In the sequential order's terms: the video's probe, then anything on the voice-over's side
  // (its probe, no audio, its decode), then the frames.
  if (video.status === 'rejected') throw video.reason;
  if (voice.status === 'rejected') throw voice.reason;
  if (frames.status === 'rejected') throw frames.reason;
  return inputsOf(video.value, voice.value, frames.value);
}
