import { audioCommand, type DecodeAudioOptions, type DecodedAudio } from './decode-audio';
import { assertDecoded } from './decode-failure';
import { type ClipFrames, clipFramesCommand, type ClipFramesOptions } from './decode-frames';
import { mediaBinaries, type MediaBinaries } from './ffmpeg-binary';
import { DECODE_GLOBAL_ARGS } from './ffmpeg-input';
import { runProcess } from './run-process';

export interface ClipAndVoice {
  frames: ClipFrames;
  voice: DecodedAudio;
}

/**
 * The query clip's frames and a separate voice-over's audio from one ffmpeg process (two inputs;
 * the frames on stdout, the audio on fd 3) instead of two. Debian's ffmpeg, the images' build,
 * links over 200 libraries and takes about 50 ms to start on the bench machine: a tenth of the
 * query video's budget on one core (docs/BENCHMARKS.md, "The query video"). The outputs are what
 * decodeClipFrames and decodeAudio give for the same options, byte for byte.
 *
 * A fast path only: anything short of a clean run (options either decoder refuses, a non-zero
 * exit, a cut-off input, either output failing its checks, a timeout) gives undefined, and the
 * caller decodes each file on its own, which names the failure exactly as before and tries the
 * fallback build for an Ogg file.
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
  } catch {
    return undefined;
  }
}
