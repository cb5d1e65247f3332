import { refusedInput } from './ffmpeg-input';
import { ffmpegReason, truncationNotice } from './ffmpeg-stderr';
import { MediaError, MediaErrorCode } from './media-error';
import type { RunResult } from './run-process';

const MISSING_STREAM = /matches no streams|does not contain any stream/i;

/** Throws the MediaError an ffmpeg decode run amounts to; returns when the output can be used. */
export function assertDecoded(result: RunResult, input: string, track: 'audio' | 'video'): void {
  const truncated = truncationNotice(result.stderr, input);
  if (result.exitCode === 0) {
    // ffmpeg exits 0 on a cut-off file after decoding what is there; a partial clip is not a clip.
    if (truncated) throw new MediaError(MediaErrorCode.Truncated, `the file is incomplete: ${truncated}`);
    return;
  }
  const refused = refusedInput(result.stderr);
  if (refused) throw refused;
  if (MISSING_STREAM.test(result.stderr)) {
    throw track === 'audio'
      ? new MediaError(MediaErrorCode.NoAudio, 'the file has no audio track')
      : new MediaError(MediaErrorCode.NoVideo, 'the file has no video track');
  }
  if (truncated) throw new MediaError(MediaErrorCode.Truncated, `the file is incomplete: ${truncated}`);
  if (result.stderr.includes(`${input}: Invalid data found when processing input`)) {
    throw new MediaError(MediaErrorCode.NotMedia, 'not a readable audio or video file: invalid data');
  }
  throw new MediaError(
    MediaErrorCode.DecodeFailed,
    `could not decode the ${track}: ${ffmpegReason(result.stderr, input)}`,
    { exitCode: result.exitCode, signal: result.signal },
  );
}

/**
 * Older ffmpeg builds decode the first half of a cut-off MP4 without a word, so the decoded
 * length is also compared with what the container declared for the stream (a 10 % and
 * `slackSeconds` margin absorbs encoder padding and frame-rate rounding).
 */
export function assertNotCutShort(
  decodedSeconds: number,
  declaredSeconds: number | null | undefined,
  requestedSeconds: number,
  slackSeconds: number,
): void {
  if (declaredSeconds === null || declaredSeconds === undefined || !(declaredSeconds > 0)) return;
  const expected = Math.min(declaredSeconds, requestedSeconds);
  if (decodedSeconds < 0.9 * expected - slackSeconds) {
    throw new MediaError(
      MediaErrorCode.Truncated,
      `the file is incomplete: only ${decodedSeconds.toFixed(1)} s of the declared ` +
        `${declaredSeconds.toFixed(1)} s could be decoded`,
      { decodedSeconds, declaredSeconds },
    );
  }
}
