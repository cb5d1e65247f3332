import fs from 'node:fs/promises';
import type { MediaBinaries } from './ffmpeg-binary';
import { worthASecondDecoder } from './ffmpeg-input';
import { mediaLogger } from './media-log';

const OGG_CAPTURE = Buffer.from('OggS', 'latin1');

/**
 * Only Ogg files get a second try: Debian's ffmpeg 5.1 refuses some valid Ogg Vorbis headers
 * ("Header processing failed"), and the bundled static build is older than the system one, so
 * it is not offered every upload that the system ffmpeg turned down.
 */
async function startsLikeOgg(filePath: string): Promise<boolean> {
  const handle = await fs.open(filePath, 'r');
  try {
    const head = Buffer.alloc(OGG_CAPTURE.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(OGG_CAPTURE);
  } finally {
    await handle.close();
  }
}

/**
 * Runs `read` with the first binaries; when they cannot read an Ogg file the allow-list accepts,
 * runs it again with binaries.fallback. Resolves with the result and the label of the build that
 * read the file; when both fail, rejects with the first build's reason.
 */
export async function readWithFallback<T>(
  filePath: string,
  binaries: MediaBinaries,
  what: 'probe' | 'audio decode' | 'loudness',
  read: (b: MediaBinaries) => Promise<T>,
): Promise<{ result: T; readBy: string }> {
  try {
    return { result: await read(binaries), readBy: binaries.label ?? 'ffmpeg' };
  } catch (first) {
    const fallback = binaries.fallback;
    if (!fallback || !worthASecondDecoder(first) || !(await startsLikeOgg(filePath).catch(() => false))) throw first;
    const second = await read(fallback).then(
      (result) => ({ result }),
      () => undefined,
    );
    if (!second) throw first;
    const readBy = fallback.label ?? fallback.ffmpeg;
    mediaLogger().warn(
      { file: filePath, step: what, readBy, firstError: (first as Error).message },
      `${what} done by the fallback ffmpeg build`,
    );
    return { result: second.result, readBy };
  }
}
