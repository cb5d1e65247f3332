/**
 * Every ffmpeg/ffprobe input goes through the plain-file protocol only, so an uploaded playlist
 * cannot make ffmpeg fetch URLs or read other local files, and a path starting with "-" or
 * holding "scheme:" is never read as an option or a protocol.
 */
export const SAFE_INPUT_ARGS: readonly string[] = ['-protocol_whitelist', 'file'];

export const safeInput = (filePath: string): string => `file:${filePath}`;
