import { clipPatches, clipVoiceSeconds } from '../../features/clip';
import { decodeAudio } from '../../media/decode-audio';
import { type ClipFrames, decodeClipFrames } from '../../media/decode-frames';
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
}

export const frameSizeKey = (s: FrameSize) => `${s.width}x${s.height}`;

/**
 * Everything the query branch reads from a creator's video, as two concurrent chains: the video
 * (probe, then its frames at each size, one ffmpeg pass per size) and the voice-over (probe when it
 * is a separate file, decode, log-mel patches). Each ffmpeg is its own process, so on two cores
 * the voice-over's decode and features hide behind the frame decode instead of adding to it.
 * When both fail, the error is the one the former sequential order met first (video probe,
 * voice-over probe, missing audio, voice-over decode, frames), so a file's error does not depend
 * on timing.
 */
export async function readQueryVideo(
  videoFile: string,
  voiceFile: string | undefined,
  sizes: readonly FrameSize[],
  options: QueryVideoOptions,
): Promise<QueryVideoInputs> {
  const { bounds, onProgress } = options;
  const videoProbe = probeMedia(videoFile, { ...bounds, requireVideo: true });
  const voiceProbe = voiceFile ? probeMedia(voiceFile, { ...bounds, requireAudio: true }) : videoProbe;

  const voiceChain = (async () => {
    const voiceInfo = await voiceProbe;
    if (!voiceInfo.audio) {
      // Only meaningful once the video itself probed: its error comes first.
      await videoProbe;
      throw new MediaError(MediaErrorCode.NoAudio, 'the video has no audio track and no separate voice-over was given');
    }
    onProgress?.();
    const voice = await decodeAudio(voiceFile ?? videoFile, {
      format: voiceInfo.formatName,
      streamIndex: voiceInfo.audio.index,
      maxDurationSeconds: bounds.maxDurationSeconds,
      declaredDurationSeconds: voiceInfo.audio.durationSeconds,
    });
    // The model hears the first 32 s; clipPatches reads no further (and loops a shorter voice-over).
    return { patches: clipPatches(voice.pcm), pcm: voice.pcm };
  })();

  const framesChain = (async () => {
    const info = await videoProbe;
    const frames = new Map<string, ClipFrames>();
    // During a roll-out both versions usually share a frame size: decoded once per size.
    for (const size of sizes) {
      const key = frameSizeKey(size);
      if (frames.has(key)) continue;
      onProgress?.();
      frames.set(
        key,
        await decodeClipFrames(videoFile, {
          format: info.formatName,
          width: size.width,
          height: size.height,
          streamIndex: info.video!.index,
          declaredDurationSeconds: info.video!.durationSeconds,
          sourceSize: info.video!,
          skipNonReferenceFrames: options.skipNonReferenceFrames,
          skipLoopFilter: options.skipLoopFilter,
        }),
      );
    }
    return frames;
  })();

  const [video, voice, frames] = await Promise.allSettled([videoProbe, voiceChain, framesChain]);
  // In the sequential order's terms: the video's probe, then anything on the voice-over's side
  // (its probe, no audio, its decode), then the frames.
  if (video.status === 'rejected') throw video.reason;
  if (voice.status === 'rejected') throw voice.reason;
  if (frames.status === 'rejected') throw frames.reason;
  return {
    info: video.value,
    voicePatches: voice.value.patches,
    voiceSeconds: clipVoiceSeconds(voice.value.pcm),
    voicePcm: voice.value.pcm,
    frames: frames.value,
  };
}
