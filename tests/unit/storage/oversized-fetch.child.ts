/**
 * Child process of url-fetcher.test.ts: serves a large body without Content-Length on loopback,
 * fetches it under a small limit, prints the outcome as one JSON line, then stays alive a little
 * so that any late stream error would surface as an uncaught exception (and a non-zero exit).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchToMediaRoot } from '../../../src/storage/url-fetcher';

const [root, rounds = '5'] = process.argv.slice(1);
const BODY = Buffer.alloc(26 * 1024 * 1024, 7);

async function main(): Promise<void> {
  // One write of the whole body, no Content-Length (chunked): the client gets it as fast as the
  // socket allows, so many writes are queued on the file when the limit is crossed.
  const server = http.createServer((_req, res) => {
    res.write(BODY);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const outcomes: unknown[] = [];
  for (let i = 0; i < Number(rounds); i++) {
    const error: unknown = await fetchToMediaRoot(
      `http://127.0.0.1:${port}/big.ogg`,
      'tracks[0].sourceUrl',
      {
        allowlist: ['127.0.0.1'],
        maxBytes: 2_000_000,
        timeoutMs: 5000,
        totalTimeoutMs: 20_000,
        allowPrivateAddresses: true,
      },
      root!,
    ).then(
      () => null,
      (e: unknown) => e,
    );
    const e = error as { name?: string; code?: string; message?: string } | null;
    outcomes.push({ name: e?.name, code: e?.code, message: e?.message });
  }
  await new Promise((r) => setTimeout(r, 500));
  server.close();
  const left = fs.readdirSync(`${root}/fetched`);
  process.stdout.write(`${JSON.stringify({ outcomes, left })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`child failed: ${String(e)}\n`);
  process.exit(2);
});
