import { MediaError, MediaErrorCode } from './media-error';

/**
 * The demuxers (ffmpeg's container readers) the product takes for audio and video: phone and
 * camera video (MP4/MOV), browser recordings (WebM/Matroska), music files (Ogg, MP3, WAV, FLAC,
 * AAC, AIFF). An allow-list, not a deny-list: playlist and manifest demuxers (HLS, DASH, IMF,
 * concat ...) open further files named inside the upload, which may lie outside the media root.
 */
export const ACCEPTED_DEMUXERS: readonly string[] = ['mov', 'matroska', 'ogg', 'mp3', 'wav', 'flac', 'aac', 'aiff'];

const ACCEPTED_DESCRIPTION = 'MP4/MOV/M4A, WebM/Matroska, Ogg, MP3, WAV, FLAC, AAC, AIFF';

/**
 * Every ffmpeg/ffprobe input goes through the plain-file protocol only and may be read only by an
 * accepted demuxer (ffmpeg refuses any other before it reads past the file's first bytes), so an
 * upload cannot make ffmpeg fetch URLs or read other local files, and a path starting with "-" or
 * holding "scheme:" is never read as an option or a protocol.
 */
export const SAFE_INPUT_ARGS: readonly string[] = [
  '-protocol_whitelist',
  'file',
  '-format_whitelist',
  ACCEPTED_DEMUXERS.join(','),
];

/** A decode's global options: no console input, no banner, warnings and errors only on stderr. */
export const DECODE_GLOBAL_ARGS: readonly string[] = ['-nostdin', '-hide_banner', '-v', 'warning'];

export const safeInput = (filePath: string): string => `file:${filePath}`;

/**
 * One input and one output of an ffmpeg decode, kept apart so that two of them can share one
 * process (decode-clip-and-voice.ts): the input's options and the input, the output's options for
 * a given input number, and the output's bound. AudioCommand and ClipFramesCommand add how their
 * bytes become audio or frames.
 */
export interface DecodeCommand {
  /** `file:` + the path, as ffmpeg names it in its messages. */
  input: string;
  inputArgs: string[];
  outputArgs: (inputNumber: number, target: string) => string[];
  maxBytes: number;
}

/** A command's whole argument list when it runs alone, its output on stdout. */
export function soloDecodeArgs(command: DecodeCommand): string[] {
  return [...DECODE_GLOBAL_ARGS, ...command.inputArgs, ...command.outputArgs(0, 'pipe:1')];
}

/** The accepted demuxer among ffprobe's format_name ("mov,mp4,m4a,3gp,3g2,mj2" -> "mov"), if any. */
export function acceptedDemuxer(formatName: string): string | undefined {
  return formatName.split(',').find((name) => ACCEPTED_DEMUXERS.includes(name));
}

/**
 * `-f <demuxer>` for a decode, from the format probeMedia found, so ffmpeg reads the file as
 * that container and nothing else (no second guess between the probe and the decode).
 */
export function forcedFormatArgs(formatName: string | undefined): string[] {
  if (formatName === undefined) return [];
  const demuxer = acceptedDemuxer(formatName);
  if (!demuxer) throw unsupportedFormat(formatName);
  return ['-f', demuxer];
}

const REFUSED = /^\[([\w,]+) @ ?0x[0-9a-f]+\] Format not on whitelist/im;
const GUESSED = /detected only with low score of \d+, misdetection possible/i;

/**
 * The error for an input ffmpeg refused by the allow-list, or whose content matched no format
 * (ffmpeg then guessed one from the file name alone: a text file named .mp4). Decided from the
 * first bytes of the upload only, so the answer never depends on files it names.
 */
export function refusedInput(stderr: string): MediaError | undefined {
  const refused = REFUSED.exec(stderr);
  if (refused) return unsupportedFormat(refused[1]!);
  if (GUESSED.test(stderr)) {
    return new MediaError(
      MediaErrorCode.NotMedia,
      'not a readable audio or video file: its content matches no known format',
      { refused: true },
    );
  }
  return undefined;
}

export function unsupportedFormat(detected: string): MediaError {
  return new MediaError(
    MediaErrorCode.NotMedia,
    `not an accepted audio or video format (detected: ${detected}; accepted: ${ACCEPTED_DESCRIPTION})`,
    { formatName: detected, refused: true },
  );
}

/**
 * Whether another ffmpeg build might read what this one could not: an unreadable or undecodable
 * file, but not one the allow-list refused, a cut-off one, a timeout or a missing stream.
 */
export function worthASecondDecoder(error: unknown): boolean {
  return (
    error instanceof MediaError &&
    (error.code === MediaErrorCode.NotMedia || error.code === MediaErrorCode.DecodeFailed) &&
    error.details?.refused !== true
  );
}
