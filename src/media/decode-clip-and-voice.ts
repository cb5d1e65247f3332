import { audioCommand, type DecodeAudioOptions, type DecodedAudio } from './decode-audio';
import { assertDecoded } from './decode-failure';
import { type ClipFrames, clipFramesCommand, type ClipFramesOptions } from './decode-frames';
import { mediaBinaries, type MediaBinaries } from './ffmpeg-binary';
import { DECODE_GLOBAL_ARGS } from './ffmpeg-input';
import { MediaError, MediaErrorCode } from './media-error';
import { runProcess } from './run-process';

export interface ClipAndVoice {
  frames: ClipFrames;
  voice: DecodedAudio;
}

/**
 * A run that hit its time bound, or was called off, ends there: the two processes would wait the
 * same bound again (60 s by default) only to name the same timeout, or start on a signal already
 * aborted.
 */
function isFinal(err: unknown): boolean {
  return (
    (err instanceof MediaError && err.code === MediaErrorCode.Timeout) ||
    (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError')
  );
}

/**
 * The query clip's frames and a separate voice-over's audio from one ffmpeg process (two inputs;
 * the frames on stdout, the audio on fd 3) instead of two. Debian's ffmpeg, the images' build,
 * links over 200 libraries and takes about 50 ms to start on the bench machine: a tenth of the
 * query video's budget on one core (docs/BENCHMARKS.md, "The query video"). The outputs are what
 * decodeClipFrames and decodeAudio give for the same options, byte for byte.
 *
 * A fast path only: anything short of a clean run (options either decoder refuses, a non-zero
 * exit, a cut-off input, either output failing its checks) gives undefined, and the caller decodes
 * each file on its own, which names the failure exactly as before and tries the fallback build for
 * an Ogg file. A timeout or an abort is thrown as it is (isFinal).
 */
export async function decodeClipAndVoice(
  videoFile: string,
  frameOptions: ClipFramesOptions,
  voiceFile: string,
  voiceOptions: DecodeAudioOptions,
  binaries: MediaBinaries = mediaBinaries(),
): Promise<ClipAndVoice | undefined> {
  try {
    const frames = clipFramesCommand(videoFile, frameOptions);
    const voice = audioCommand(voiceFile, voiceOptions);
    const args = [
      ...DECODE_GLOBAL_ARGS,
      ...frames.inputArgs,
      ...voice.inputArgs,
      ...frames.outputArgs(0, 'pipe:1'),
      ...voice.outputArgs(1, 'pipe:3'),
    ];
    const result = await runProcess(binaries.ffmpeg, args, {
      timeoutMs: Math.max(frameOptions.timeoutMs ?? 60_000, voiceOptions.timeoutMs ?? 60_000),
      maxStdoutBytes: frames.maxBytes,
      maxFd3Bytes: voice.maxBytes,
      signal: frameOptions.signal ?? voiceOptions.signal,
    });
    assertDecoded(result, frames.input, 'video');
    assertDecoded(result, voice.input, 'audio');
    return {
      frames: frames.frames(result.stdout),
      voice: voice.audio(result.fd3 ?? Buffer.alloc(0), binaries.label ?? 'ffmpeg'),
    };
  } catch (err) {
    if (isFinal(err)) throw err;
    return undefined;
  }
}
