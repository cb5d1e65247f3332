/**
 * npm run bench:search [-- --sizes 10000,100000 --queries 200 --ef 40,100,200,400 --windows 0 --seed 7
 *   --m 16 --ef-construction 200]
 * Recall@10 against latency at several HNSW ef_search settings, at each catalog size, with and
 * without a license filter passing 10% of the catalog: the suggestBgm service call (one statement,
 * connection settings from database.ts), pgvector's nearest-track search, an exact scan, and an
 * in-process HNSW library (hnswlib-node, the same m and ef_construction, by default the
 * migrations' build) at the same ef values. The last column divides the service's p50 by hnswlib's
 * p50 at the smallest ef where hnswlib's recall reaches the service's ("same recall"). The service
 * runs as the API runs it: candidates from its in-process index (candidate-index.ts, built and
 * current before timing, its ef the row's ef), the statement on generic-plan connections; a second
 * row times it with the index off (candidates from pgvector's walk, ef_search the row's ef). Needs
 * Postgres with pgvector (TEST_DATABASE_URL or the local default); creates and drops its own
 * database.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { HierarchicalNSW } from 'hnswlib-node';
import { createRepositories } from '../src/app/repositories';
import type { Database } from '../src/db/database';
import { type HnswBuild, TRACK_INDEX_BUILD } from '../src/db/track-index';
import { CandidateIndex } from '../src/modules/suggestion/candidates/candidate-index';
import type { CandidateSource } from '../src/modules/suggestion/indexed-video-suggestion.repository';
import { SuggestionService } from '../src/modules/suggestion/suggestion.service';
import { machine, percentile, timed } from './bench-utils';
import {
  addQueryVideos,
  isTenPercentLicensed,
  loadSyntheticCatalog,
  openBenchDatabase,
  scratchDatabase,
  TEN_PERCENT_FILTER,
  vectorText,
} from './synthetic-catalog';
import { clusteredVectors } from './synthetic-vectors';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    queries: { type: 'string', default: '200' },
    ef: { type: 'string', default: '40,100,200,400' },
    windows: { type: 'string', default: '0' },
    halfvec: { type: 'boolean', default: false },
    seed: { type: 'string', default: '7' },
    m: { type: 'string', default: String(TRACK_INDEX_BUILD.m) },
    'ef-construction': { type: 'string', default: String(TRACK_INDEX_BUILD.efConstruction) },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const QUERIES = Number(values.queries);
const EFS = values.ef.split(',').map(Number);
const WINDOWS = Number(values.windows);
const K = 10;
const HALFVEC = values.halfvec;
/** The catalog and queries; choose settings on one seed and report another's figures. */
const SEED = Number(values.seed);
const BUILD: HnswBuild = { m: Number(values.m), efConstruction: Number(values['ef-construction']) };
/** Candidates the storage comparison takes from the index before re-ranking by the full vectors (suggestBgm's pool for 10). */
const RERANK = 30;
/** Searches of each kind run before timing, per pool and filter. */
const WARM_UP = 40;
const OWNER = 'bench';

interface Measured {
  p50: number;
  p99: number;
  recall: number;
}

type Method = 'service' | 'serviceWalk' | 'pgvector' | 'vector' | 'halfvec' | 'exact' | 'hnswlib';
type Storage = 'vector' | 'halfvec';
const LABEL: Record<Method, string> = {
  service: 'suggestBgm service call (candidate index)',
  serviceWalk: 'suggestBgm service call, index off (pgvector walk)',
  pgvector: 'nearest-track search (pgvector HNSW)',
  vector: `vector index, top ${RERANK} re-ranked`,
  halfvec: `halfvec index, top ${RERANK} re-ranked`,
  exact: 'exact scan (pgvector)',
  hnswlib: 'hnswlib-node (in-process)',
};

async function exactTop(db: Database, modelId: string, q: string, filtered: boolean): Promise<number[]> {
  const rows = await db.sql.query<{ title: string }>(
    `SELECT t.title FROM track_embedding te JOIN track t ON t.id = te.track_id
     ${filtered ? "JOIN license l ON l.track_id = t.id AND 'IS' = ANY(l.territories_allowed)" : ''}
     WHERE te.model_version_id = $1
     ORDER BY (te.embedding <=> $2::vector) + 0 LIMIT ${K}`,
    [modelId, q],
  );
  return rows.map((r) => Number(r.title.slice(1)));
}

/** The nearest RERANK tracks by the vector or the halfvec index, re-ranked by the full vectors. */
async function storageTop(db: Database, modelId: string, q: string, filtered: boolean, storage: Storage) {
  const order =
    storage === 'halfvec' ? 'te.embedding::halfvec(512) <=> $2::halfvec(512)' : 'te.embedding <=> $2::vector';
  const rows = await db.sql.query<{ title: string }>(
    `SELECT t.title FROM (
       SELECT te.track_id, te.embedding FROM track_embedding te
       ${filtered ? "JOIN license l ON l.track_id = te.track_id AND 'IS' = ANY(l.territories_allowed)" : ''}
       WHERE te.model_version_id = $1
       ORDER BY ${order} LIMIT ${RERANK}) c
     JOIN track t ON t.id = c.track_id
     ORDER BY c.embedding <=> $2::vector LIMIT ${K}`,
    [modelId, q],
    { prepare: true },
  );
  return rows.map((r) => Number(r.title.slice(1)));
}

function summarise(lat: number[], hits: number, queries: number): Measured {
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), recall: hits / (K * queries) };
}

async function benchSize(n: number) {
  const scratch = await scratchDatabase('bgm_bench');
  const dbs = new Map<number, Database>();
  const closers: (() => Promise<void>)[] = [];
  try {
    const { vectors, queries } = clusteredVectors(n, QUERIES, 512, SEED);
    const loader = await openBenchDatabase(scratch.url);
    dbs.set(0, loader);
    const { modelId, indexMs, trackIndex } = await loadSyntheticCatalog(loader, vectors, WINDOWS, BUILD);
    const videoIds = await addQueryVideos(loader, modelId, queries, OWNER);
    const queryTexts = queries.map(vectorText);
    // The service's own index, built once (as an API process builds it at start); each row sets its ef.
    const sources: Record<CandidateSource, number> = { index: 0, walk: 0 };
    const candidateIndex = new CandidateIndex(loader.sql, { ...BUILD, ef: EFS[0]! });
    closers.push(() => candidateIndex.close());
    const rssBefore = process.memoryUsage().rss;
    candidateIndex.want(modelId);
    const [, serviceIndexMs] = await timed(() => candidateIndex.settled());
    const serviceIndexMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;

    const [, halfvecIndexMs] = HALFVEC
      ? await timed(() =>
          loader.sql.exec(
            'CREATE INDEX track_embedding_halfvec_idx ON track_embedding USING hnsw ((embedding::halfvec(512)) halfvec_cosine_ops)',
          ),
        )
      : [undefined, 0];

    const hnsw = new HierarchicalNSW('cosine', 512);
    const [, hnswlibBuildMs] = await timed(() => {
      hnsw.initIndex(n, BUILD.m, BUILD.efConstruction, 7);
      vectors.forEach((v, i) => hnsw.addPoint(Array.from(v), i));
      return Promise.resolve();
    });

    const results: { method: Method; ef: number | null; filter: string; m: Measured }[] = [];
    for (const [filter, f] of [
      ['none', {}],
      ['10% licensed', TEN_PERCENT_FILTER],
    ] as const) {
      const filtered = filter !== 'none';
      // Ground truth and the exact scan's own latency, once per query.
      const truth: Set<number>[] = [];
      const exactLat: number[] = [];
      for (const text of queryTexts) {
        const [top, ms] = await timed(() => exactTop(loader, modelId, text, filtered));
        truth.push(new Set(top));
        exactLat.push(ms);
      }
      results.push({ method: 'exact', ef: null, filter, m: summarise(exactLat, K * queries.length, queries.length) });

      for (const ef of EFS) {
        // A pool per setting: ef_search is a connection setting (database.ts).
        const db = dbs.get(ef) ?? (await openBenchDatabase(scratch.url, ef));
        dbs.set(ef, db);
        const repos = createRepositories(db.prisma, {
          sql: db.sql,
          candidates: {
            index: candidateIndex,
            genericPlanSql: db.genericPlanSql,
            onSource: (source) => sources[source]++,
          },
        });
        const walkRepos = createRepositories(db.prisma, { sql: db.sql });
        const noEmbedding = { requestEmbedding: () => Promise.resolve() };
        const services = {
          service: new SuggestionService(repos, noEmbedding, 50),
          serviceWalk: new SuggestionService(walkRepos, noEmbedding, 50),
        };
        hnsw.setEf(ef);
        candidateIndex.setEf(ef);
        const lat: Record<Exclude<Method, 'exact'>, number[]> = {
          service: [],
          serviceWalk: [],
          pgvector: [],
          vector: [],
          halfvec: [],
          hnswlib: [],
        };
        const hits = { service: 0, serviceWalk: 0, pgvector: 0, vector: 0, halfvec: 0, hnswlib: 0 };
        // Without a filter the library searches with no callback, as the service's index does when
        // a filter's set holds every track: the in-process row at its fastest.
        const allowed = filtered ? isTenPercentLicensed : undefined;
        const ask = (which: keyof typeof services, qi: number) =>
          services[which].suggestBgm({ id: OWNER, roles: ['app'] }, videoIds[qi]!, K, { ...f });
        // The filter's eligible tracks are read on its first call (which walks meanwhile).
        await ask('service', 0);
        await candidateIndex.settled();
        // Warm-up, so that the table shows the steady state: connections opened, statements
        // prepared, index pages cached. A new server process is slow for its first few dozen
        // searches (the first at 100k tracks: 50-100 ms; docs/BENCHMARKS.md), and sequential
        // calls reuse one pooled connection.
        for (const [qi, q] of queries.slice(0, WARM_UP).entries()) {
          for (const which of ['service', 'serviceWalk'] as const) await ask(which, qi);
          await repos.embeddings.nearestTracks(modelId, Array.from(q), K, { ...f });
          if (HALFVEC)
            for (const storage of ['vector', 'halfvec'] as const)
              await storageTop(db, modelId, queryTexts[qi]!, filtered, storage);
        }
        for (const [qi, q] of queries.entries()) {
          const qa = Array.from(q);
          for (const which of ['service', 'serviceWalk'] as const) {
            const [page, ms] = await timed(() => ask(which, qi));
            lat[which].push(ms);
            hits[which] += page.suggestions.filter((x) => truth[qi]!.has(trackIndex.get(x.track.id)!)).length;
          }
          const [approx, aMs] = await timed(() => repos.embeddings.nearestTracks(modelId, qa, K, { ...f }));
          const [lib, lMs] = await timed(() => Promise.resolve(hnsw.searchKnn(qa, K, allowed).neighbors));
          if (HALFVEC) {
            for (const storage of ['vector', 'halfvec'] as const) {
              const [top, ms] = await timed(() => storageTop(db, modelId, queryTexts[qi]!, filtered, storage));
              lat[storage].push(ms);
              hits[storage] += top.filter((i) => truth[qi]!.has(i)).length;
            }
          }
          lat.pgvector.push(aMs);
          lat.hnswlib.push(lMs);
          const t = truth[qi]!;
          hits.pgvector += approx.filter((a) => t.has(trackIndex.get(a.trackId)!)).length;
          hits.hnswlib += lib.filter((i) => t.has(i)).length;
        }
        const measured: Exclude<Method, 'exact'>[] = ['service', 'serviceWalk', 'pgvector', 'hnswlib'];
        if (HALFVEC) measured.push('vector', 'halfvec');
        for (const method of measured) {
          results.push({ method, ef, filter, m: summarise(lat[method], hits[method], queries.length) });
        }
      }
    }
    const [server] = await loader.sql.query<{ buffers: string; index: string; halfvecIndex: string | null }>(
      `SELECT current_setting('shared_buffers') AS buffers,
              pg_size_pretty(pg_relation_size('track_embedding_hnsw_idx')) AS index,
              pg_size_pretty(pg_relation_size(to_regclass('track_embedding_halfvec_idx'))) AS "halfvecIndex"`,
    );
    return {
      results,
      indexMs,
      hnswlibBuildMs,
      serviceIndexMs,
      serviceIndexMiB,
      sources,
      halfvecIndexMs,
      server: server!,
    };
  } finally {
    for (const db of dbs.values()) await db.close();
    for (const close of closers) await close();
    await scratch.drop();
  }
}

/** A service row's p50 over hnswlib's p50 at the smallest ef where hnswlib reaches its recall. */
function ratioAtSameRecall(
  results: Awaited<ReturnType<typeof benchSize>>['results'],
  r: (typeof results)[number],
): string {
  if (r.method !== 'service' && r.method !== 'serviceWalk') return '';
  const lib = results
    .filter((x) => x.method === 'hnswlib' && x.filter === r.filter && x.m.recall >= r.m.recall)
    .sort((a, b) => a.ef! - b.ef!)[0];
  return lib ? `${(r.m.p50 / lib.m.p50).toFixed(1)}x (hnswlib ef ${lib.ef})` : 'hnswlib below this recall';
}

async function main() {
  console.log(
    `# bench:search  ${new Date().toISOString()}  ${machine()}  ${QUERIES} queries, k=${K}, 512-d clustered vectors (seed ${SEED}), ${WINDOWS} windows per track`,
  );
  for (const n of SIZES) {
    const { results, indexMs, hnswlibBuildMs, serviceIndexMs, serviceIndexMiB, sources, halfvecIndexMs, server } =
      await benchSize(n);
    const halfvec = server.halfvecIndex
      ? `; halfvec index build ${(halfvecIndexMs / 1000).toFixed(1)} s, ${server.halfvecIndex}`
      : '';
    console.log(
      `\n## ${n} tracks (HNSW m ${BUILD.m}, ef_construction ${BUILD.efConstruction}; pgvector build ${(indexMs / 1000).toFixed(1)} s, index ${server.index}${halfvec}, ` +
        `Postgres shared_buffers ${server.buffers}; hnswlib-node build ${(hnswlibBuildMs / 1000).toFixed(1)} s; ` +
        `the service's candidate index read and built in ${(serviceIndexMs / 1000).toFixed(1)} s, ` +
        `resident memory +${serviceIndexMiB.toFixed(0)} MiB)`,
    );
    console.log(
      `Service calls with the index on, by where their candidates came from: ${sources.index} from the index, ${sources.walk} from the walk.`,
    );
    console.log(
      '| method | ef_search | license filter | p50 ms | p99 ms | recall@10 | service / in-process at same recall |',
    );
    console.log('|---|---|---|---|---|---|---|');
    const order: Method[] = ['service', 'serviceWalk', 'pgvector', 'vector', 'halfvec', 'hnswlib', 'exact'];
    const sorted = [...results].sort(
      (a, b) =>
        a.filter.localeCompare(b.filter) ||
        order.indexOf(a.method) - order.indexOf(b.method) ||
        (a.ef ?? 0) - (b.ef ?? 0),
    );
    for (const r of sorted)
      console.log(
        `| ${LABEL[r.method]} | ${r.ef ?? '-'} | ${r.filter} | ${r.m.p50.toFixed(2)} | ${r.m.p99.toFixed(2)} | ${r.m.recall.toFixed(3)} | ${ratioAtSameRecall(results, r)} |`,
      );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
