import { audioCommand, type DecodedAudio } from './decode-audio';
import { assertDecoded } from './decode-failure';
import { type ClipFrames, clipFramesCommand, type ClipFramesOptions } from './decode-frames';
import { mediaBinaries, type MediaBinaries } from './ffmpeg-binary';
import { acceptedDemuxer } from './ffmpeg-input';
import { inputBanner } from './input-banner';
import { MediaError, MediaErrorCode } from './media-error';
import { oggIsTruncated } from './ogg-truncation';
import { checkDuration, type ProbeLimits, statOrThrow } from './probe';
import { runProcess } from './run-process';

export interface ClipAndVoice {
  frames: ClipFrames;
  voice: DecodedAudio;
}

/** A voice-over read without a probe of its own: the bounds its probe would have enforced. */
export interface UnprobedVoice {
  limits: Pick<ProbeLimits, 'maxFileBytes' | 'maxDurationSeconds' | 'minDurationSeconds'>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The decode's global options. Log level info, so that ffmpeg names the voice-over's demuxer and
 * duration (input-banner.ts) where its probe would have; -nostats, so that info adds no progress
 * lines. Its errors and warnings read as at level warning (decode-failure.ts); the metadata info
 * prints as well can only make a file look cut off (a title with "truncated" in it), which sends it
 * to the probed reads, never past them.
 */
const GLOBAL_ARGS: readonly string[] = ['-nostdin', '-hide_banner', '-nostats', '-v', 'info'];

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
 * the frames on stdout, the audio on fd 3), and no ffprobe of the voice-over: one process where
 * there were three. Debian's ffmpeg, the images' build, links over 200 libraries and takes about
 * 50 ms to start on the bench machine, a tenth of the query video's budget on one core
 * (docs/BENCHMARKS.md, "The query video"). The frames are what decodeClipFrames gives for the same
 * options, and the audio what decodeAudio gives after the voice-over's probe, byte for byte.
 *
 * What the voice-over's probe would check is checked here from the same ffmpeg's own account of
 * the file (its demuxer and the container's duration, input-banner.ts): the size before the run,
 * then an accepted demuxer, a duration within the bounds, no truncation (ffmpeg's notices, the last
 * Ogg page) and the decoded length against the declared one. A fast path only: anything short of a
 * clean run that passes all of these (a file its probe might refuse, one whose duration ffmpeg does
 * not state, a non-zero exit, either output failing its checks) gives undefined, and the caller
 * probes and decodes each file on its own, which names the failure exactly as before and tries the
 * fallback build for an Ogg file. A timeout or an abort is thrown as it is (isFinal).
 */
export async function decodeClipAndVoice(
  videoFile: string,
  frameOptions: ClipFramesOptions,
  voiceFile: string,
  voiceOver: UnprobedVoice,
  binaries: MediaBinaries = mediaBinaries(),
): Promise<ClipAndVoice | undefined> {
  try {
    const { limits } = voiceOver;
    // The probe's own checks; what they throw sends the file to the probed reads (the catch below).
    await statOrThrow(voiceFile, limits.maxFileBytes);
    const frames = clipFramesCommand(videoFile, frameOptions);
    // No forced demuxer and the first audio stream: what the probe would have named.
    const voice = audioCommand(voiceFile, { maxDurationSeconds: limits.maxDurationSeconds });
    const args = [
      ...GLOBAL_ARGS,
      ...frames.inputArgs,
      ...voice.inputArgs,
      ...frames.outputArgs(0, 'pipe:1'),
      ...voice.outputArgs(1, 'pipe:3'),
    ];
    const result = await runProcess(binaries.ffmpeg, args, {
      timeoutMs: Math.max(frameOptions.timeoutMs ?? 60_000, voiceOver.timeoutMs ?? 60_000),
      maxStdoutBytes: frames.maxBytes,
      maxFd3Bytes: voice.maxBytes,
      signal: frameOptions.signal ?? voiceOver.signal,
    });
    assertDecoded(result, frames.input, 'video');
    assertDecoded(result, voice.input, 'audio');
    const banner = inputBanner(result.stderr, 1);
    if (!banner || !acceptedDemuxer(banner.formatName) || banner.durationSeconds === null) return undefined;
    checkDuration(banner.durationSeconds, limits);
    if (banner.formatName.split(',').includes('ogg') && (await oggIsTruncated(voiceFile))) return undefined;
    const declared = audioCommand(voiceFile, {
      maxDurationSeconds: limits.maxDurationSeconds,
      declaredDurationSeconds: banner.durationSeconds,
    });
    return {
      frames: frames.frames(result.stdout),
      voice: declared.audio(result.fd3 ?? Buffer.alloc(0), binaries.label ?? 'ffmpeg'),
    };
  } catch (err) {
    if (isFinal(err)) throw err;
    return undefined;
  }
}
