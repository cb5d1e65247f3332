import type { Hash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';

export interface WriteToFileOptions {
  /** Bytes past which the write stops with `tooLarge()`'s error; none when absent. */
  limit?: { maxBytes: number; tooLarge: () => Error };
  /** Fed every chunk written, when the caller wants the content hash. */
  hash?: Hash;
  signal?: AbortSignal;
}

/**
 * Streams `source` into `file` under an optional byte limit and resolves with the byte count. It
 * settles only once the file stream has closed: a write stream torn down before its open finished
 * still creates the file afterwards, so a caller removing the file on the first rejection would
 * leave an empty one behind (an upload refused on its first chunk did, in CI).
 */
export async function writeToFile(
  file: string,
  source: NodeJS.ReadableStream | AsyncIterable<string | Buffer>,
  { limit, hash, signal }: WriteToFileOptions = {},
): Promise<number> {
  const out = fs.createWriteStream(file);
  const closed = new Promise<void>((resolve) => out.once('close', resolve));
  // pipeline reports the first error; one the file stream emits while it is torn down must not
  // go unheard (an 'error' event without a listener ends the process).
  out.on('error', () => undefined);
  let size = 0;
  try {
    await pipeline(
      source,
      async function* counted(chunks: AsyncIterable<string | Buffer>) {
        for await (const part of chunks) {
          const chunk = typeof part === 'string' ? Buffer.from(part) : part;
          size += chunk.length;
          if (limit && size > limit.maxBytes) throw limit.tooLarge();
          hash?.update(chunk);
          yield chunk;
        }
      },
      out,
      { signal },
    );
    return size;
  } finally {
    await closed;
  }
}
