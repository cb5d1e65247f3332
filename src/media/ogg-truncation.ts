import fs from 'node:fs/promises';

const CAPTURE = Buffer.from('OggS', 'latin1');
const HEADER_BYTES = 27;
// Largest possible page (27-byte header + 255 lacing values + 255 * 255 bytes), twice, so the
// window always holds at least one whole page to synchronise on.
const TAIL_WINDOW = 2 * (HEADER_BYTES + 255 + 255 * 255);

function pageLength(buf: Buffer, at: number): number | undefined {
  if (at + HEADER_BYTES > buf.length) return undefined;
  const segments = buf[at + 26] ?? 0;
  if (at + HEADER_BYTES + segments > buf.length) return undefined;
  let body = 0;
  for (let i = 0; i < segments; i++) body += buf[at + HEADER_BYTES + i] ?? 0;
  return HEADER_BYTES + segments + body;
}

/** Trailing bytes that begin like a capture pattern are a page cut inside its first 4 bytes. */
function startsLikeAPage(rest: Buffer): boolean {
  const n = Math.min(rest.length, CAPTURE.length);
  return rest.subarray(0, n).equals(CAPTURE.subarray(0, n));
}

/**
 * ffmpeg decodes an Ogg file cut mid-page without any warning and ffprobe reports the shorter
 * duration, so a truncated upload would pass as a short one. Walk the last pages and report
 * whether the final one runs past the end of the file.
 */
export async function oggIsTruncated(filePath: string): Promise<boolean> {
  const handle = await fs.open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_WINDOW);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);

    let at = buf.indexOf(CAPTURE);
    if (at < 0) return size > 0;
    for (;;) {
      const length = pageLength(buf, at);
      if (length === undefined || at + length > buf.length) return true;
      const next = at + length;
      if (next === buf.length) return false;
      at = buf.indexOf(CAPTURE, next);
      if (at < 0) return startsLikeAPage(buf.subarray(next));
    }
  } finally {
    await handle.close();
  }
}
