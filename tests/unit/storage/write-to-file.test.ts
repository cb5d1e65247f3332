import { createHash, pbkdf2 } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { writeToFile } from '../../../src/storage/write-to-file';

describe('writeToFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-write-to-file-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const tooLarge = () => new Error('too large');

  it('writes every chunk, counts the bytes and feeds the hash', async () => {
    const file = path.join(dir, 'whole');
    const hash = createHash('sha256');
    const size = await writeToFile(file, Readable.from(['ab', Buffer.from('cde')]), {
      limit: { maxBytes: 5, tooLarge },
      hash,
    });
    expect(size).toBe(5);
    expect(fs.readFileSync(file, 'utf8')).toBe('abcde');
    expect(hash.digest('hex')).toBe(createHash('sha256').update('abcde').digest('hex'));
  });

  it('settles only once the file stream has closed, even while its open waits in a busy thread pool', async () => {
    // The failure CI met: the refusal came before the file stream's open finished, the caller's rm
    // ran first, and the open then created an empty file that stayed. Key derivations fill libuv's
    // thread pool (4 threads) so the open is surely still queued when the first chunk is refused.
    const busy = Array.from({ length: 8 }, () => promisify(pbkdf2)('x', 'y', 100_000, 32, 'sha256'));
    const file = path.join(dir, 'refused');
    await expect(
      writeToFile(file, Readable.from([Buffer.alloc(2)]), { limit: { maxBytes: 1, tooLarge } }),
    ).rejects.toThrow('too large');
    expect(fs.existsSync(file)).toBe(true); // opened and closed before the promise settled
    await fs.promises.rm(file);
    await Promise.all(busy);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('stops when its signal aborts', async () => {
    const file = path.join(dir, 'aborted');
    const endless = Readable.from(
      (async function* () {
        for (;;) {
          yield Buffer.alloc(1024);
          await sleep(5);
        }
      })(),
    );
    await expect(writeToFile(file, endless, { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
