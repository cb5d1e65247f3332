import type { App } from '../../src/app/start-app';
import { makeTone, makeVideo } from '../helpers/media';
import { codes, describeMode, gql, grantUploads, MODES, TestEnv, tokenFor } from './harness';

const INGEST = `mutation Ingest($tracks: [IngestTrackInput!]!) {
  ingestTracks(tracks: $tracks) { created { track { id title status } job { id kind status } } duplicates { index track { id } } }
}`;
const TRACKS = `query Tracks($first: Int!, $after: String) {
  tracks(first: $first, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } }
}`;

describe.each(MODES)('GraphQL API', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    let app: App;
    let admin: string;
    let appToken: string;

    beforeAll(async () => {
      makeTone(env.mediaRoot, 'a.ogg', 440);
      makeTone(env.mediaRoot, 'b.ogg', 550);
      makeTone(env.mediaRoot, 'c.ogg', 660);
      app = await env.start();
      admin = await tokenFor(app, 'admin');
      appToken = await tokenFor(app, 'app');
    });
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    it('answers health and readiness probes', async () => {
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', queue: 'ok' } });
    });

    it('refuses ingestTracks without a token (UNAUTHENTICATED) and with an app token (FORBIDDEN)', async () => {
      const tracks = [{ mediaUri: 'a.ogg', title: 'A', artist: 'X' }];
      expect(codes(await gql(app, INGEST, { tracks }))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await gql(app, INGEST, { tracks }, appToken))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(app, INGEST, { tracks }, 'not.a.jwt'))).toEqual(['UNAUTHENTICATED']);
      const page = await gql(app, TRACKS, { first: 10 });
      expect(page.data?.tracks.edges).toEqual([]);
    });

    it('ingests tracks as admin, records a job per track and publishes it through the outbox', async () => {
      const res = await gql(
        app,
        INGEST,
        {
          tracks: [
            {
              mediaUri: 'a.ogg',
              title: 'Alpha',
              artist: 'X',
              tags: ['calm'],
              license: { licensor: 'L', territoriesAllowed: ['US', 'DE'] },
            },
            { mediaUri: 'media://b.ogg', title: 'Beta', artist: 'Y' },
            { mediaUri: 'a.ogg', title: 'Alpha again', artist: 'X' },
          ],
        },
        admin,
      );
      expect(res.errors).toBeUndefined();
      const created = res.data!.ingestTracks.created;
      expect(created.map((c: any) => c.track.title)).toEqual(['Alpha', 'Beta']);
      expect(created.every((c: any) => c.track.status === 'PENDING' && c.job.kind === 'EMBED_TRACK')).toBe(true);
      expect(res.data!.ingestTracks.duplicates.map((d: any) => d.index)).toEqual([2]);
      await app.relay.flush();
      expect(await app.repos.outbox.unpublishedCount()).toBe(0);
    });

    it('pages through tracks as a Relay connection', async () => {
      const first = await gql(app, TRACKS, { first: 1 });
      expect(first.data!.tracks.edges).toHaveLength(1);
      expect(first.data!.tracks.pageInfo.hasNextPage).toBe(true);
      const second = await gql(app, TRACKS, { first: 5, after: first.data!.tracks.pageInfo.endCursor });
      expect(second.data!.tracks.edges.map((e: any) => e.node.title)).toEqual(['Beta']);
      expect(second.data!.tracks.pageInfo.hasNextPage).toBe(false);
    });

    it('rejects bad input with BAD_USER_INPUT and writes nothing', async () => {
      expect(codes(await gql(app, TRACKS, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await gql(app, TRACKS, { first: 0 }))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await gql(app, TRACKS, { first: 5, after: 'garbage' }))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await gql(app, '{ track(id: "nope") { id } }'))).toEqual(['BAD_USER_INPUT']);
      const badEnum = await gql(
        app,
        'query($s: MediaStatus) { tracks(first: 1, filter: { status: $s }) { edges { cursor } } }',
        { s: 'NOPE' },
      );
      expect(codes(badEnum)).toEqual(['BAD_USER_INPUT']);
      const before = await app.db.prisma.track.count();
      const mixed = await gql(
        app,
        INGEST,
        {
          tracks: [
            { mediaUri: 'c.ogg', title: 'Gamma', artist: 'Z' },
            { mediaUri: '../../etc/passwd', title: 'Evil', artist: 'Z' },
          ],
        },
        admin,
      );
      expect(codes(mixed)).toEqual(['BAD_USER_INPUT']);
      const badLicense = await gql(
        app,
        INGEST,
        {
          tracks: [
            { mediaUri: 'c.ogg', title: 'Gamma', artist: 'Z', license: { licensor: 'L', territoriesAllowed: ['usa'] } },
          ],
        },
        admin,
      );
      expect(codes(badLicense)).toEqual(['BAD_USER_INPUT']);
      expect(await app.db.prisma.track.count()).toBe(before);
      expect(await app.db.prisma.job.count()).toBe(2);
    });

    it('returns NOT_FOUND for a track that does not exist', async () => {
      const res = await gql(app, '{ track(id: "00000000-0000-4000-8000-000000000000") { id } }');
      expect(codes(res)).toEqual(['NOT_FOUND']);
    });

    it('limits query cost (depth: tests/unit/http/graphql-server.test.ts)', async () => {
      const page =
        'tracks(first: 100) { edges { node { licenses { id licensor platforms territoriesAllowed territoriesDenied commercialUse attribution validFrom validTo } } } }';
      const costly = `{ ${['a', 'b', 'c', 'd', 'e'].map((alias) => `${alias}: ${page}`).join(' ')} }`;
      const costRes = await gql(app, costly);
      expect(codes(costRes)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(costRes.errors![0]!.extensions).toMatchObject({ limit: 'cost', maxCost: 5000 });
      expect(costRes.errors![0]!.message).toMatch(/cost \d+ exceeds the limit of 5000/);
      // The estimate is kept per document and variables (plugins.ts): asked again, refused again.
      expect(codes(await gql(app, costly))).toEqual(['QUERY_TOO_COMPLEX']);
      // One document priced by its variables, in turn: small pages pass, large ones are refused.
      const paged = `query($n: Int!) { ${['a', 'b', 'c', 'd', 'e'].map((alias) => `${alias}: ${page.replace('first: 100', 'first: $n')}`).join(' ')} }`;
      for (const [n, refused] of [
        [1, false],
        [100, true],
        [1, false],
        [100, true],
      ] as const)
        expect([n, codes(await gql(app, paged, { n }))]).toEqual([n, refused ? ['QUERY_TOO_COMPLEX'] : []]);
    });

    it('keeps CSRF prevention on', async () => {
      const res = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/CSRF/);
    });

    it('registers a video for its owner and hides it from others', async () => {
      makeVideo(env.mediaRoot, 'v.mp4');
      await grantUploads(app, 'app-user', 'v.mp4');
      const reg = await gql(
        app,
        'mutation { registerVideo(input: { mediaUri: "v.mp4" }) { video { id status ownerId separateVoiceOver } job { kind status } } }',
        {},
        appToken,
      );
      expect(reg.errors).toBeUndefined();
      const video = reg.data!.registerVideo.video;
      expect(video).toMatchObject({ status: 'PENDING', ownerId: 'app-user', separateVoiceOver: false });
      const mine = await gql(app, `{ video(id: "${video.id}") { id status } }`, {}, appToken);
      expect(mine.data!.video.id).toBe(video.id);
      const other = await gql(
        app,
        `{ video(id: "${video.id}") { id } }`,
        {},
        await tokenFor(app, 'app', 'someone-else'),
      );
      expect(codes(other)).toEqual(['NOT_FOUND']);
      const asAdmin = await gql(app, `{ video(id: "${video.id}") { id } }`, {}, admin);
      expect(asAdmin.data!.video.id).toBe(video.id);
      expect(codes(await gql(app, `{ video(id: "${video.id}") { id } }`))).toEqual(['UNAUTHENTICATED']);
      const noFile = await gql(
        app,
        'mutation { registerVideo(input: { mediaUri: "missing.mp4" }) { video { id } } }',
        {},
        appToken,
      );
      expect(codes(noFile)).toEqual(['BAD_USER_INPUT']);
    });
  });
});
