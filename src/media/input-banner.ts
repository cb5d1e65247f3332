/**
 * What ffmpeg says of an input it opened, at log level info (av_dump_format):
 *
 *     Input #1, ogg, from 'file:/media/voice.ogg':
 *       Metadata: ...
 *       Duration: 00:00:04.00, start: 0.000000, bitrate: 23 kb/s
 *       Stream #1:0: Audio: vorbis, 44100 Hz, mono, fltp, 80 kb/s
 *
 * The demuxer that read it and the container's duration: what probeMedia reads with ffprobe,
 * for a decode that runs without a probe of its own (decode-clip-and-voice.ts).
 */
export interface InputBanner {
  /** The demuxer's names, as ffprobe's format_name ("mov,mp4,m4a,3gp,3g2,mj2"). */
  formatName: string;
  /** The container's duration; null where ffmpeg prints N/A. */
  durationSeconds: number | null;
}

const HEAD = /^Input #(\d+), ([\w,]+), from /;
// Exactly two spaces: the input's own line. A metadata value cannot forge it: ffmpeg prints a
// value's line breaks as a new line indented under the key (four spaces and more), and a carriage
// return as a space.
const DURATION = /^ {2}Duration: (?:N\/A|(\d+):(\d{2}):(\d{2}(?:\.\d+)?)),/;

/**
 * Input `inputNumber`'s banner in an ffmpeg run's stderr, or undefined when it is not there whole
 * (the input did not open, the log level was below info, or another line broke into the block).
 */
export function inputBanner(stderr: string, inputNumber: number): InputBanner | undefined {
  const lines = stderr.split(/\r?\n/);
  const at = lines.findIndex((line) => HEAD.exec(line)?.[1] === String(inputNumber));
  if (at < 0) return undefined;
  const formatName = HEAD.exec(lines[at]!)![2]!;
  for (const line of lines.slice(at + 1)) {
    // The block's lines are indented; anything else ends it before its duration was seen.
    if (!line.startsWith(' ')) return undefined;
    const duration = DURATION.exec(line);
    if (!duration) continue;
    const [, h, m, s] = duration;
    return {
      formatName,
      durationSeconds: h === undefined ? null : Number(h) * 3600 + Number(m) * 60 + Number(s),
    };
  }
  return undefined;
}
