/** Turning ffmpeg/ffprobe stderr into a short reason a user can read. */

const TRUNCATION_PATTERNS: readonly RegExp[] = [
  /moov atom not found/i,
  /partial file/i,
  /file ended prematurely/i,
  /filesize and duration do not match/i,
  /truncat/i,
  /unexpected end of file/i,
];

const ERROR_PATTERN = /(error|invalid|not found|no such|corrupt|unsupported|failed|could not|premature|partial)/i;
const MAX_REASON_CHARS = 200;

function cleanLine(line: string, inputPath?: string): string {
  let out = line.replace(/^\[[^\]]*@ ?0x[0-9a-f]+\]\s*/i, '').trim();
  if (inputPath && out.startsWith(`${inputPath}: `)) out = out.slice(inputPath.length + 2);
  return out.length > MAX_REASON_CHARS ? `${out.slice(0, MAX_REASON_CHARS - 1)}…` : out;
}

function lines(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The ffmpeg message that says the input was cut short, if there is one. */
export function truncationNotice(stderr: string, inputPath?: string): string | undefined {
  const line = lines(stderr).find((l) => TRUNCATION_PATTERNS.some((p) => p.test(l)));
  return line === undefined ? undefined : cleanLine(line, inputPath);
}

/** The first line that reads like an error, else the last line; without the "[demuxer @ 0x..]" noise. */
export function ffmpegReason(stderr: string, inputPath?: string): string {
  const all = lines(stderr);
  const line = all.find((l) => ERROR_PATTERN.test(l)) ?? all[all.length - 1];
  return line === undefined ? 'no diagnostic output' : cleanLine(line, inputPath);
}
