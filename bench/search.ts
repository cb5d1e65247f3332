/**
 * npm run bench:search [-- --sizes 10000,100000 --queries 200]
 * suggestBgm latency (p50/p99) and recall@10 against exact search, at each catalog size, with and
 * without a license filter passing 10% of the catalog; beside it an exact scan and an in-process
 * HNSW library (hnswlib-node) on the same vectors. Needs Postgres with pgvector (TEST_DATABASE_URL
 * or the local default); creates and drops its own database.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { HierarchicalNSW } from 'hnswlib-node';
import { Client } from 'pg';
import { createLogger } from '../src/common/logger';
import { openDatabase, type Database } from '../src/db/database';
import { migrate } from '../src/db/migrator';
import { createRepositories, prismaUnitOfWork } from '../src/app/repositories';
import { SuggestionService } from '../src/modules/suggestion/suggestion.service';
import { VideoService } from '../src/modules/video/video.service';
import { LocalMediaStorage } from '../src/storage/media-storage';
import { machine, percentile, timed } from './bench-utils';
import { clusteredVectors } from './synthetic-vectors';

const { values } = parseArgs({
  options: { sizes: { type: 'string', default: '10000,100000' }, queries: { type: 'string', default: '200' } },
});
const SIZES = values.sizes.split(',').map(Number);
const QUERIES = Number(values.queries);
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const K = 10;

interface Row {
  method: string;
  filter: string;
  p50: number;
  p99: number;
  recall: number;
}

async function load(db: Database, modelId: string, vectors: Float32Array[]) {
  const c = await db.sql.transaction(async (conn) => {
    await conn.exec('DROP INDEX IF EXISTS track_embedding_hnsw_idx');
    for (let start = 0; start < vectors.length; start += 2000) {
      const chunk = vectors.slice(start, start + 2000);
      const ids = chunk.map((_, i) => start + i);
      await conn.query(
        `WITH t AS (
           INSERT INTO track (title, artist, media_uri, content_hash, status, updated_at, duration_sec)
           SELECT 'T' || i, 'A', 'media://t' || i, 'h' || i, 'READY', now(), 180 FROM unnest($1::int[]) i RETURNING id, title)
         INSERT INTO license (track_id, licensor, territories_allowed)
         SELECT id, 'L', CASE WHEN substr(title, 2)::int % 10 = 0 THEN ARRAY['IS'] ELSE ARRAY['US'] END FROM t`,
        [ids],
      );
      await conn.query(
        `INSERT INTO track_embedding (track_id, model_version_id, embedding)
         SELECT t.id, $2, v.e::vector FROM unnest($1::int[], $3::text[]) AS v(i, e) JOIN track t ON t.title = 'T' || v.i`,
        [ids, modelId, chunk.map((v) => `[${Array.from(v).join(',')}]`)],
      );
    }
    return vectors.length;
  });
  const [, ms] = await timed(() =>
    db.sql.exec('CREATE INDEX track_embedding_hnsw_idx ON track_embedding USING hnsw (embedding vector_cosine_ops)'),
  );
  return { rows: c, indexMs: ms };
}

async function benchSize(n: number): Promise<{ rows: Row[]; indexMs: number; hnswlibBuildMs: number }> {
  const dbName = `bgm_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const db = await openDatabase(
    {
      kind: 'postgres',
      url: url.toString(),
      poolSize: 4,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 600_000,
      idleInTransactionTimeoutMs: 60_000,
    },
    createLogger('silent'),
  );
  try {
    await migrate(db.sql);
    const repos = createRepositories(db.prisma);
    const model = await repos.models.upsert({
      name: 'bench',
      version: '1',
      dims: 512,
      artifactUri: 'memory://',
      manifest: {},
    });
    await repos.models.activate(model.id);
    const { vectors, queries } = clusteredVectors(n, QUERIES, 512, 7);
    const { indexMs } = await load(db, model.id, vectors);
    await db.sql.exec('VACUUM ANALYZE');
    const titleToIdx = new Map(
      (await db.sql.query<{ id: string; title: string }>('SELECT id::text, title FROM track')).map((r) => [
        r.id,
        Number(r.title.slice(1)),
      ]),
    );

    // One READY video per query, so the whole suggestBgm service call is measured too.
    const videoIds: string[] = [];
    for (const q of queries) {
      const v = await db.prisma.video.create({ data: { ownerId: 'bench', mediaUri: 'media://q', status: 'READY' } });
      await repos.embeddings.upsertVideoEmbedding(v.id, model.id, Array.from(q));
      videoIds.push(v.id);
    }
    const videos = new VideoService(
      repos,
      prismaUnitOfWork(db.prisma),
      new LocalMediaStorage('/tmp/bgm-bench-media', 1e9),
      () => undefined,
      50,
    );
    const suggestions = new SuggestionService(repos, videos, 50);
    const admin = { id: 'bench', roles: ['admin' as const] };

    const hnsw = new HierarchicalNSW('cosine', 512);
    const [, hnswlibBuildMs] = await timed(() => {
      hnsw.initIndex(n, 16, 64, 7);
      vectors.forEach((v, i) => hnsw.addPoint(Array.from(v), i));
      return Promise.resolve();
    });
    hnsw.setEf(40);

    const rows: Row[] = [];
    for (const filter of ['none', '10% licensed'] as const) {
      const f = filter === 'none' ? {} : { territory: 'IS' };
      const allowed = (i: number) => filter === 'none' || i % 10 === 0;
      const lat: Record<string, number[]> = {
        'suggestBgm service call (end to end)': [],
        'nearest-track search (pgvector HNSW, iterative scan)': [],
        'exact scan (pgvector)': [],
        'hnswlib-node (in-process)': [],
      };
      const hits: Record<string, number> = {
        'suggestBgm service call (end to end)': 0,
        'nearest-track search (pgvector HNSW, iterative scan)': 0,
        'exact scan (pgvector)': 0,
        'hnswlib-node (in-process)': 0,
      };
      for (const [qi, q] of queries.entries()) {
        const qa = Array.from(q);
        const [full, sMs] = await timed(() => suggestions.suggestBgm(admin, videoIds[qi]!, K, f));
        lat['suggestBgm service call (end to end)']!.push(sMs);
        const [exact, eMs] = await timed(() => exactTop(db, model.id, qa, filter !== 'none'));
        const truth = new Set(exact);
        const [approx, aMs] = await timed(() => repos.embeddings.nearestTracks(model.id, qa, K, f));
        const [lib, lMs] = await timed(() => Promise.resolve(hnsw.searchKnn(qa, K, allowed).neighbors));
        lat['exact scan (pgvector)']!.push(eMs);
        lat['nearest-track search (pgvector HNSW, iterative scan)']!.push(aMs);
        lat['hnswlib-node (in-process)']!.push(lMs);
        hits['exact scan (pgvector)']! += K;
        hits['suggestBgm service call (end to end)']! += full.suggestions.filter((x) =>
          truth.has(titleToIdx.get(x.track.id)!),
        ).length;
        hits['nearest-track search (pgvector HNSW, iterative scan)']! += approx.filter((a) =>
          truth.has(titleToIdx.get(a.trackId)!),
        ).length;
        hits['hnswlib-node (in-process)']! += lib.filter((i) => truth.has(i)).length;
      }
      for (const m of Object.keys(lat)) {
        rows.push({
          method: m,
          filter,
          p50: percentile(lat[m]!, 50),
          p99: percentile(lat[m]!, 99),
          recall: hits[m]! / (K * queries.length),
        });
      }
    }
    return { rows, indexMs, hnswlibBuildMs };
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

async function exactTop(db: Database, modelId: string, q: number[], filtered: boolean): Promise<number[]> {
  const rows = await db.sql.query<{ title: string }>(
    `SELECT t.title FROM track_embedding te JOIN track t ON t.id = te.track_id
     ${filtered ? "JOIN license l ON l.track_id = t.id AND 'IS' = ANY(l.territories_allowed)" : ''}
     WHERE te.model_version_id = $1
     ORDER BY (te.embedding <=> $2::vector) + 0 LIMIT ${K}`,
    [modelId, `[${q.join(',')}]`],
  );
  return rows.map((r) => Number(r.title.slice(1)));
}

async function main() {
  console.log(
    `# bench:search  ${new Date().toISOString().slice(0, 10)}  ${machine()}  ${QUERIES} queries, k=${K}, 512-d clustered vectors`,
  );
  for (const n of SIZES) {
    const { rows, indexMs, hnswlibBuildMs } = await benchSize(n);
    console.log(
      `\n## ${n} tracks (pgvector HNSW build ${(indexMs / 1000).toFixed(1)} s, hnswlib-node build ${(hnswlibBuildMs / 1000).toFixed(1)} s)`,
    );
    console.log('| method | license filter | p50 ms | p99 ms | recall@10 |');
    console.log('|---|---|---|---|---|');
    for (const r of rows)
      console.log(`| ${r.method} | ${r.filter} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.recall.toFixed(3)} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
