import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AppError, ErrorCode } from '../../../src/common/errors';
import { fetchToMediaRoot, type UrlFetchPolicy } from '../../../src/storage/url-fetcher';
import { runTsChild } from '../../helpers/ts-child';

const BODY = Buffer.from('OggS fake music bytes '.repeat(100));

describe('fetchToMediaRoot', () => {
  let server: http.Server;
  let port: number;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-fetch-'));
  const policy = (over: Partial<UrlFetchPolicy> = {}): UrlFetchPolicy => ({
    allowlist: ['127.0.0.1', 'localhost'],
    maxBytes: 10_000,
    timeoutMs: 2000,
    totalTimeoutMs: 10_000,
    allowPrivateAddresses: true,
    ...over,
  });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/song.ogg') return res.end(BODY);
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' });
        return res.end();
      }
      if (req.url === '/big') return res.end(Buffer.alloc(20_000));
      if (req.url === '/stall') {
        res.writeHead(200);
        res.write('OggS');
        return; // then silence
      }
      if (req.url === '/trickle') {
        // One byte every 50 ms, forever: never idle long enough for the idle timeout.
        res.writeHead(200);
        const timer = setInterval(() => res.write('x'), 50);
        res.on('close', () => clearInterval(timer));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const refused = async (url: string, p: UrlFetchPolicy, message: RegExp) => {
    const err = await fetchToMediaRoot(url, 'tracks[0].sourceUrl', p, root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(ErrorCode.BadUserInput);
    expect((err as AppError).message).toMatch(message);
  };

  it('downloads from an allowlisted host into the media root, named by content hash', async () => {
    const got = await fetchToMediaRoot(`http://127.0.0.1:${port}/song.ogg`, 'x', policy(), root);
    const sha = createHash('sha256').update(BODY).digest('hex');
    expect(got).toEqual({ uri: `media://fetched/${sha}.ogg`, sha256: sha, sizeBytes: BODY.length, created: true });
    expect((await fetchToMediaRoot(`http://127.0.0.1:${port}/song.ogg`, 'x', policy(), root)).created).toBe(false);
    expect(fs.readFileSync(path.join(root, 'fetched', `${sha}.ogg`))).toEqual(BODY);
  });

  it('refuses internal addresses unless explicitly allowed (development only)', async () => {
    await refused(`http://127.0.0.1:${port}/song.ogg`, policy({ allowPrivateAddresses: false }), /internal address/);
    await refused(`http://localhost:${port}/song.ogg`, policy({ allowPrivateAddresses: false }), /internal address/);
    await refused(
      `http://[::1]:${port}/song.ogg`,
      policy({ allowlist: ['::1'], allowPrivateAddresses: false }),
      /internal address/,
    );
    await refused(
      'http://10.0.0.8/song.ogg',
      policy({ allowlist: ['10.0.0.8'], allowPrivateAddresses: false }),
      /internal address/,
    );
  });

  it('refuses hosts off the allowlist, other schemes, credentials, redirects and oversized files', async () => {
    await refused(
      `http://127.0.0.1:${port}/song.ogg`,
      policy({ allowlist: ['cdn.example.com'] }),
      /not in MEDIA_URL_ALLOWLIST/,
    );
    await refused(
      'http://evil.example.com.attacker.net/x',
      policy({ allowlist: ['*.example.com'] }),
      /not in MEDIA_URL_ALLOWLIST/,
    );
    await refused('file:///etc/passwd', policy(), /only http\(s\)/);
    await refused(`http://u:p@127.0.0.1:${port}/song.ogg`, policy(), /credentials/);
    await refused(`http://127.0.0.1:${port}/redirect`, policy(), /redirects are not followed/);
    await refused(`http://127.0.0.1:${port}/big`, policy(), /above the limit/);
    await refused(`http://127.0.0.1:${port}/missing`, policy(), /HTTP 404/);
    expect(fs.readdirSync(path.join(root, 'fetched')).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('refuses an oversized download without Content-Length with a typed error, in a process that lives on', async () => {
    // In a child process: an unhandled stream error there would kill it, as it killed the API.
    const childRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-fetch-big-'));
    try {
      const child = await runTsChild(path.join(__dirname, 'oversized-fetch.child.ts'), [childRoot, '5']);
      expect(child.stderr).not.toMatch(/error|uncaught/i);
      expect(child.code).toBe(0);
      const { outcomes, left } = JSON.parse(child.stdout) as { outcomes: unknown[]; left: string[] };
      expect(outcomes).toHaveLength(5);
      for (const outcome of outcomes) {
        expect(outcome).toEqual({
          name: 'AppError',
          code: ErrorCode.BadUserInput,
          message: 'tracks[0].sourceUrl: file is above the limit of 2000000 bytes',
        });
      }
      expect(left).toEqual([]); // no partial file
    } finally {
      fs.rmSync(childRoot, { recursive: true, force: true });
    }
  }, 30_000);

  it('bounds the whole transfer: a source trickling under the idle timeout is cut at the total deadline', async () => {
    const started = Date.now();
    let guard: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      fetchToMediaRoot(`http://127.0.0.1:${port}/trickle`, 'x', policy({ totalTimeoutMs: 600 }), root).catch(
        (e: unknown) => e,
      ),
      new Promise((r) => (guard = setTimeout(() => r('still downloading after 8 s'), 8000))),
    ]);
    clearTimeout(guard);
    expect(outcome).toBeInstanceOf(AppError);
    expect((outcome as AppError).code).toBe(ErrorCode.BadUserInput);
    expect((outcome as AppError).message).toBe('x: download took longer than the limit of 600 ms');
    expect(Date.now() - started).toBeLessThan(8000);
    expect(fs.readdirSync(path.join(root, 'fetched')).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 15_000);

  it('cuts a download that goes silent after the idle timeout', async () => {
    await refused(
      `http://127.0.0.1:${port}/stall`,
      policy({ timeoutMs: 300 }),
      /^tracks\[0\]\.sourceUrl: download stalled for more than 300 ms$/,
    );
    expect(fs.readdirSync(path.join(root, 'fetched')).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
