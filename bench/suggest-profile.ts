/**
 * npm run bench:profile [-- --tracks 5000 --requests 200]
 * What one suggestBgm costs the database: Postgres round trips (every query a pg client sends,
 * BEGIN/SET/COMMIT included) per request, through GraphQL over HTTP and as a bare service call,
 * with their latencies. Runs the API in this process on a scratch Postgres database.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { startApp } from '../src/app/start-app';
import { createLogger } from '../src/common/logger';
import { loadConfig } from '../src/config/config';
import { machine, percentile, timed } from './bench-utils';
import { clusteredVectors } from './synthetic-vectors';
import { addQueryVideos, loadSyntheticCatalog, scratchDatabase, TEN_PERCENT_FILTER } from './synthetic-catalog';

const { values } = parseArgs({
  options: { tracks: { type: 'string', default: '5000' }, requests: { type: 'string', default: '200' } },
});
const TRACKS = Number(values.tracks);
const REQUESTS = Number(values.requests);

/** Counts every query any pg client sends: one per round trip to the server. */
let roundTrips = 0;
// eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound to each client below
const originalQuery = Client.prototype.query as (...a: unknown[]) => unknown;
Client.prototype.query = function countedQuery(this: Client, ...args: unknown[]) {
  roundTrips++;
  return originalQuery.apply(this, args);
} as typeof Client.prototype.query;

const QUERY = `query($v: ID!, $f: SuggestionFilterInput) {
  suggestBgm(videoId: $v, first: 10, filter: $f) {
    modelVersion { id name version }
    suggestions { rank score relevance startOffsetSec track { id title artist } license { id licensor attribution } }
  }
}`;

async function main() {
  const scratch = await scratchDatabase('bgm_profile');
  const config = loadConfig({
    DATABASE_URL: scratch.url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: '/tmp/bgm-profile-data',
    DEMO_CATALOG: 'false',
    RUN_JOBS: 'false',
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_TOKEN: '0',
  });
  const app = await startApp(config, createLogger('silent'));
  try {
    const { vectors, queries } = clusteredVectors(TRACKS, 20, 512, 7);
    const { modelId } = await loadSyntheticCatalog(app.db, vectors, 3);
    const videoIds = await addQueryVideos(app.db, modelId, queries, 'bench');
    const token = await app.authenticator.sign('bench', ['app']);
    console.log(
      `# bench:profile  ${new Date().toISOString()}  ${machine()}  ${TRACKS} tracks x 3 windows, ${REQUESTS} requests each`,
    );
    console.log('| path | filter | round trips per call | p50 ms | p99 ms |');
    console.log('|---|---|---|---|---|');
    for (const [label, filter] of [
      ['none', undefined],
      ['10% licensed', TEN_PERCENT_FILTER],
    ] as const) {
      const http = async (i: number) => {
        const res = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: QUERY, variables: { v: videoIds[i % videoIds.length], f: filter } }),
        });
        const body = (await res.json()) as { errors?: unknown };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
      };
      const service = async (i: number) => {
        await app.services.suggestions.suggestBgm({ id: 'bench', roles: ['app'] }, videoIds[i % videoIds.length]!, 10, {
          ...filter,
        });
      };
      for (const [path, call] of [
        ['GraphQL over HTTP', http],
        ['service call', service],
      ] as const) {
        for (let i = 0; i < 20; i++) await call(i); // warm-up: caches, prepared plans, JIT
        const before = roundTrips;
        const lat: number[] = [];
        for (let i = 0; i < REQUESTS; i++) lat.push((await timed(() => call(i)))[1]);
        const perCall = (roundTrips - before) / REQUESTS;
        console.log(
          `| ${path} | ${label} | ${perCall.toFixed(2)} | ${percentile(lat, 50).toFixed(2)} | ${percentile(lat, 99).toFixed(2)} |`,
        );
      }
    }
  } finally {
    await app.stop();
    await scratch.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
