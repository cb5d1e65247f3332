import http from 'node:http';
import type { App } from '../../src/app/start-app';
import { codes, describeMode, gql, type GqlResponse, MODES, tokenFor, useApp } from './harness';

const TRACK_ID = '00000000-0000-4000-8000-000000000000';
const SIMILAR = `query($id: ID!) { similarTracks(trackId: $id, first: 1) { score } }`;
const SIMILAR_FIELD = 'similarTracks(trackId: $id, first: 1) { score }';
/** `n` aliased copies of a field: `a0: field a1: field ...`. */
const sel = (n: number, field: string, prefix = 'a') =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}: ${field}`).join(' ');

interface HttpAnswer extends GqlResponse {
  headers: http.IncomingHttpHeaders;
}

/** POST /graphql from a chosen loopback address (127.0.0.x), so a test can be two clients. */
function gqlFrom(app: App, from: string, query: string, variables: object, token?: string): Promise<HttpAnswer> {
  return post(app, '/graphql', from, JSON.stringify({ query, variables }), {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
}

function post(app: App, path: string, from: string, body: string, headers: http.OutgoingHttpHeaders) {
  const url = new URL(path, app.url);
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<GqlResponse, 'status'>;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, ...json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(MODES)('per-request work bounds', (mode) => {
  describeMode(mode, () => {
    describe('query size', () => {
      const use = useApp(mode, { RUN_JOBS: 'false' });
      afterEach(() => jest.restoreAllMocks());

      it('refuses 2,400 aliases of similarTracks with QUERY_TOO_COMPLEX before any resolver runs', async () => {
        const app = use();
        const calls = jest.spyOn(app.services.suggestions, 'similarTracks');
        const res = await gql(app, `query($id: ID!) { ${sel(2400, SIMILAR_FIELD)} }`, { id: TRACK_ID });
        expect(res.status).toBe(400);
        expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
        // Under the token limit, the alias limit answers, naming itself (16 root fields are over that bound too).
        const some = await gql(app, `query($id: ID!) { ${sel(16, SIMILAR_FIELD)} }`, { id: TRACK_ID });
        expect(some.status).toBe(400);
        expect(some.errors!.map((e) => e.extensions)).toEqual([
          expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 15 }),
          expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'rootFields', max: 10, found: 16 }),
        ]);
        // Aliases below the root count as well.
        const nested = await gql(app, `{ tracks(first: 1) { edges { node { ${sel(16, 'id')} } } } }`);
        expect(nested.status).toBe(400);
        expect(nested.errors!.map((e) => e.extensions)).toEqual([
          { code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 15 },
        ]);
        // The same aliases hidden in a fragment count too.
        const viaFragment = await gql(
          app,
          `query($id: ID!) { ...A ...B }
           fragment A on Query { ${sel(8, SIMILAR_FIELD)} }
           fragment B on Query { ${sel(8, SIMILAR_FIELD, 'b')} }`,
          { id: TRACK_ID },
        );
        expect(viaFragment.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });
        expect(calls).not.toHaveBeenCalled();
      });

      it('refuses more root fields than the per-request budget (each may open a transaction), before any runs', async () => {
        const app = use();
        const active = jest.spyOn(app.services.models, 'active');
        const tracks = jest.spyOn(app.services.tracks, 'getTrack');
        // 12 aliases: under the alias limit (15), over the root-field budget (10).
        const res = await gql(app, `{ ${sel(12, 'activeModelVersion { id }')} }`);
        expect(res.status).toBe(400);
        expect(res.errors?.[0]?.extensions).toMatchObject({
          code: 'QUERY_TOO_COMPLEX',
          limit: 'rootFields',
          max: 10,
          found: 12,
        });
        // Spread over fragments and distinct fields: still counted, still refused.
        const spread = await gql(
          app,
          `{ ...A ...B track(id: "${TRACK_ID}") { id } }
           fragment A on Query { a1: activeModelVersion { id } a2: activeModelVersion { id } a3: activeModelVersion { id } a4: activeModelVersion { id } a5: activeModelVersion { id } }
           fragment B on Query { b1: track(id: "${TRACK_ID}") { id } b2: track(id: "${TRACK_ID}") { id } b3: track(id: "${TRACK_ID}") { id } b4: track(id: "${TRACK_ID}") { id } b5: track(id: "${TRACK_ID}") { id } }`,
        );
        expect(spread.errors?.[0]?.extensions).toMatchObject({
          code: 'QUERY_TOO_COMPLEX',
          limit: 'rootFields',
          found: 11,
        });
        expect(active).not.toHaveBeenCalled();
        expect(tracks).not.toHaveBeenCalled();
      });

      it('answers a query over the estimator’s node limit with QUERY_TOO_COMPLEX, not a 500', async () => {
        const app = use();
        const ten = (s: string) => Array.from({ length: 10 }, () => s).join(' ');
        // 10 x 10 x 10 spreads of a 10-field fragment: a short document, 11,000+ nodes to estimate.
        const bomb = `{ track(id: "${TRACK_ID}") { ...F3 } }
          fragment F0 on Track { id title artist durationSec contentHash tags moods bpm status error }
          fragment F1 on Track { ${ten('...F0')} }
          fragment F2 on Track { ${ten('...F1')} }
          fragment F3 on Track { ${ten('...F2')} }`;
        const res = await gql(app, bomb);
        expect(res.status).toBe(400);
        expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'nodes' });
        // 10,000 fields in one selection: refused by the token limit, also typed.
        const wide = await gql(app, `{ ${Array.from({ length: 10_000 }, () => '__typename').join(' ')} }`);
        expect(wide.status).toBe(400);
        expect(wide.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
      });

      it('still serves the app’s normal queries and introspection', async () => {
        const app = use();
        const admin = await tokenFor(app, 'admin');
        const normal = await gql(
          app,
          `query Home {
            activeModelVersion { id name version }
            tracks(first: 20, filter: { search: "a" }) { edges { cursor node { id title artist licenses { id } } } pageInfo { hasNextPage endCursor } }
            calm: tracks(first: 5, filter: { mood: "calm" }) { edges { node { id } } }
            happy: tracks(first: 5, filter: { mood: "happy" }) { edges { node { id } } }
            modelVersions { id }
          }`,
          {},
          admin,
        );
        expect(normal.status).toBe(200);
        expect(normal.errors).toBeUndefined();
        expect(normal.data).toMatchObject({ tracks: { edges: [] }, calm: { edges: [] }, happy: { edges: [] } });
        const { getIntrospectionQuery } = await import('graphql');
        const schema = await gql(app, getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
        expect(schema.errors).toBeUndefined();
      });
    });

    describe('rate limits on expensive operations', () => {
      const use = useApp(mode, {
        RUN_JOBS: 'false',
        RATE_LIMIT_PER_TOKEN: '3',
        RATE_LIMIT_PER_IP: '6',
        RATE_LIMIT_WINDOW_SECONDS: '3',
      });

      it('trips per token and per IP independently, with RATE_LIMITED, HTTP 429 and Retry-After, and recovers', async () => {
        const app = use();
        const alice = await tokenFor(app, 'app', 'alice');
        const bob = await tokenFor(app, 'app', 'bob');
        const limited = (r: HttpAnswer) => codes(r).includes('RATE_LIMITED');
        const vars = { id: TRACK_ID };
        for (let i = 0; i < 3; i++) expect(limited(await gqlFrom(app, '127.0.0.1', SIMILAR, vars, alice))).toBe(false);

        const tripped = await gqlFrom(app, '127.0.0.1', SIMILAR, vars, alice);
        expect(tripped.status).toBe(429);
        expect(tripped.errors).toHaveLength(1);
        expect(tripped.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'token' });
        const retryAfter = tripped.errors![0]!.extensions!.retryAfter as number;
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(3);
        expect(Number(tripped.headers['retry-after'])).toBe(retryAfter);
        // The token's budget follows it to another address.
        expect(codes(await gqlFrom(app, '127.0.0.2', SIMILAR, vars, alice))).toEqual(['RATE_LIMITED']);

        // Another token from the first address has its own budget, until the address's is spent (6).
        for (let i = 0; i < 3; i++) expect(limited(await gqlFrom(app, '127.0.0.1', SIMILAR, vars, bob))).toBe(false);
        const byIp = await gqlFrom(app, '127.0.0.1', SIMILAR, vars);
        expect(byIp.status).toBe(429);
        expect(byIp.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'ip' });
        // ...while another address is untouched, and cheap operations are not limited.
        expect(limited(await gqlFrom(app, '127.0.0.2', SIMILAR, vars))).toBe(false);
        const cheap = await gqlFrom(app, '127.0.0.1', '{ activeModelVersion { id } }', {});
        expect(cheap.status).toBe(200);
        expect(cheap.errors).toBeUndefined();
        // Uploads from the spent address are limited too.
        const upload = await post(app, '/media/uploads', '127.0.0.1', 'abc', {
          authorization: `Bearer ${bob}`,
          'x-filename': 'a.mp4',
          'content-type': 'application/octet-stream',
        });
        expect(upload.status).toBe(429);
        expect(upload.headers['retry-after']).toBeDefined();

        await new Promise((r) => setTimeout(r, (retryAfter + 0.5) * 1000));
        expect(limited(await gqlFrom(app, '127.0.0.1', SIMILAR, vars, alice))).toBe(false);
        expect(limited(await gqlFrom(app, '127.0.0.1', SIMILAR, vars))).toBe(false);
      });
    });
  });
});
