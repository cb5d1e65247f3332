import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { App } from '../../src/app/start-app';
import { makeTone } from '../helpers/media';
import { codes, gql, TestEnv, tokenFor } from './harness';

/** Uploads and allowlisted URLs, the two ways media reaches the platform (embedded mode). */
describe('media sources', () => {
  const env = new TestEnv('embedded');
  let app: App;
  let server: http.Server;
  let base: string;
  const tone = makeTone(path.join(env.dataDir, 'src'), 'tone.ogg', 440, 2);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/tone.ogg') return res.end(fs.readFileSync(tone));
      // 26 MB in one write, without Content-Length: the limit is crossed with writes queued on the file.
      if (req.url === '/huge.ogg') {
        res.on('error', () => undefined); // the client hangs up mid-body
        res.write(Buffer.alloc(26 * 1024 * 1024, 1));
        return res.end();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = await env.start({
      MEDIA_URL_ALLOWLIST: '127.0.0.1',
      MEDIA_FETCH_ALLOW_PRIVATE: 'true',
      MAX_MEDIA_BYTES: '200000',
    });
  });
  afterAll(async () => {
    server.close();
    await app?.stop();
    await env.cleanup();
  });

  const upload = async (body: Buffer, token?: string) =>
    fetch(`${app.url}/media/uploads`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'x-filename': 'clip.ogg',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });

  it('accepts uploads from apps and admins only, bounded by MAX_MEDIA_BYTES', async () => {
    const bytes = fs.readFileSync(tone);
    expect((await upload(bytes)).status).toBe(401);
    expect((await upload(bytes, await tokenFor(app, 'rater'))).status).toBe(403);
    expect((await upload(Buffer.alloc(200_001, 1), await tokenFor(app, 'app'))).status).toBe(400);
    const ok = await upload(bytes, await tokenFor(app, 'admin'));
    expect(ok.status).toBe(201);
    const { mediaUri } = (await ok.json()) as { mediaUri: string };
    expect(mediaUri).toMatch(/^media:\/\/uploads\/[0-9a-f]{64}\.ogg$/);
    const res = await gql(
      app,
      `mutation { ingestTracks(tracks: [{ mediaUri: "${mediaUri}", title: "up", artist: "a" }]) { created { track { title } } } }`,
      {},
      await tokenFor(app, 'admin'),
    );
    expect(res.data!.ingestTracks.created).toEqual([{ track: { title: 'up' } }]);
  });

  it('downloads catalog files from allowlisted URLs; a bad item in the batch writes nothing', async () => {
    const admin = await tokenFor(app, 'admin');
    const q =
      'mutation($t: [IngestTrackInput!]!) { ingestTracks(tracks: $t) { created { track { title } } duplicates { index } } }';
    const before = fs.existsSync(path.join(env.mediaRoot, 'fetched'))
      ? fs.readdirSync(path.join(env.mediaRoot, 'fetched'))
      : [];
    const bad = await gql(
      app,
      q,
      {
        t: [
          { sourceUrl: `${base}/tone.ogg`, title: 'a', artist: 'a' },
          { sourceUrl: 'https://elsewhere.example/x.ogg', title: 'b', artist: 'b' },
        ],
      },
      admin,
    );
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0]!.message).toMatch(/not in MEDIA_URL_ALLOWLIST/);
    const after = fs.existsSync(path.join(env.mediaRoot, 'fetched'))
      ? fs.readdirSync(path.join(env.mediaRoot, 'fetched'))
      : [];
    expect(after).toEqual(before);
    const both = await gql(
      app,
      q,
      { t: [{ sourceUrl: `${base}/tone.ogg`, mediaUri: 'x.ogg', title: 'c', artist: 'c' }] },
      admin,
    );
    expect(both.errors![0]!.message).toMatch(/exactly one of mediaUri and sourceUrl/);
    const ok = await gql(app, q, { t: [{ sourceUrl: `${base}/tone.ogg`, title: 'fetched', artist: 'a' }] }, admin);
    // Same bytes as the upload above: recognised as already in the catalog.
    expect(ok.data!.ingestTracks).toEqual({ created: [], duplicates: [{ index: 0 }] });
  });

  it('refuses an oversized download with BAD_USER_INPUT and keeps serving (issue 14 item 1)', async () => {
    const admin = await tokenFor(app, 'admin');
    const q = 'mutation($t: [IngestTrackInput!]!) { ingestTracks(tracks: $t) { created { track { title } } } }';
    const fetched = path.join(env.mediaRoot, 'fetched');
    const before = fs.existsSync(fetched) ? fs.readdirSync(fetched) : [];
    for (let i = 0; i < 3; i++) {
      const res = await gql(app, q, { t: [{ sourceUrl: `${base}/huge.ogg`, title: 'huge', artist: 'a' }] }, admin);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.message).toMatch(/above the limit of 200000 bytes/);
    }
    // A late stream error would surface here (jest fails the test on an uncaught exception).
    await new Promise((r) => setTimeout(r, 500));
    const after = await gql(app, '{ tracks(first: 1) { pageInfo { hasNextPage } } }', {}, admin);
    expect(after.errors).toBeUndefined();
    expect(fs.existsSync(fetched) ? fs.readdirSync(fetched) : []).toEqual(before);
  });
});
