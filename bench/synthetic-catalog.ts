import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createLogger } from '../src/common/logger';
import { openDatabase, type Database } from '../src/db/database';
import { migrate } from '../src/db/migrator';
import type { SqlConnection } from '../src/db/sql-runner';
import { type HnswBuild, TRACK_INDEX, TRACK_INDEX_BUILD, trackIndexDdl } from '../src/db/track-index';
import { timed } from './bench-utils';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** maintenance_work_mem for the bench's HNSW builds: more than the 260 MB graph of 100k tracks. */
const BUILD_MEMORY = '1GB';

/** Every tenth track (title T0, T10, ...) is licensed in Iceland only: the "10% licensed" filter. */
export const TEN_PERCENT_FILTER = { territory: 'IS' } as const;
export const isTenPercentLicensed = (i: number) => i % 10 === 0;

/** A throwaway database on the local Postgres: created here, dropped by drop(). */
export async function scratchDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function openBenchDatabase(url: string, hnswEfSearch?: number): Promise<Database> {
  return openDatabase(
    {
      kind: 'postgres',
      url,
      poolSize: 10, // the API's DATABASE_POOL_SIZE default
      connectTimeoutMs: 5000,
      statementTimeoutMs: 600_000,
      idleInTransactionTimeoutMs: 60_000,
      hnswEfSearch,
    },
    createLogger('silent'),
  );
}

/** pgvector's text form of a vector, as a query parameter. */
export const vectorText = (v: ArrayLike<number>) => `[${Array.from(v).join(',')}]`;

/**
 * Migrates, activates a model version and bulk-loads READY tracks T0..Tn-1 with one license each
 * (isTenPercentLicensed: Iceland only, else the US) and their embeddings; `windowsPerTrack` > 0
 * adds that many 32 s window embeddings per track (the track vector plus small noise), so the
 * best-window re-rank does real work. The HNSW index is built once at the end (much faster than
 * inserting into it), as `build` (default: the migrations' build).
 */
export async function loadSyntheticCatalog(
  db: Database,
  vectors: Float32Array[],
  windowsPerTrack = 0,
  build: HnswBuild = TRACK_INDEX_BUILD,
): Promise<{ modelId: string; indexMs: number; trackIndex: Map<string, number> }> {
  await migrate(db.sql);
  // The app may have registered the bundled model at start: the bench's version replaces it.
  await db.sql.exec('UPDATE model_version SET active = false WHERE active');
  const [model] = await db.sql.query<{ id: string }>(
    `INSERT INTO model_version (name, version, dims, artifact_uri, manifest, active, activated_at)
     VALUES ('bench', '1', 512, 'memory://', '{}', true, now()) RETURNING id::text`,
  );
  const modelId = model!.id;
  await db.sql.transaction(async (conn: SqlConnection) => {
    await conn.exec(`DROP INDEX IF EXISTS ${TRACK_INDEX}`);
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
        [ids, modelId, chunk.map(vectorText)],
      );
      if (windowsPerTrack > 0) {
        // Window w of a track: its vector with deterministic noise, renormalised by pgvector's l2_normalize.
        await conn.query(
          `INSERT INTO track_segment_embedding (track_id, model_version_id, window_index, start_sec, embedding)
           SELECT te.track_id, te.model_version_id, w, w * 32,
                  l2_normalize((SELECT array_agg(x + 0.02 * sin(k * 1.7 + w * 3.1 + substr(t.title, 2)::int))
                                FROM unnest(te.embedding::real[]) WITH ORDINALITY AS u(x, k))::vector)
           FROM track_embedding te JOIN track t ON t.id = te.track_id, generate_series(0, $3 - 1) w
           WHERE te.model_version_id = $1 AND substr(t.title, 2)::int = ANY($2::int[])`,
          [modelId, ids, windowsPerTrack],
        );
      }
    }
  });
  const [, indexMs] = await timed(() =>
    db.sql.transaction(async (conn) => {
      // The graph built in memory: at Postgres' default 64 MB the build spills to disk past a few
      // thousand tracks and takes 4-6x longer (docs/BENCHMARKS.md, "Index parameters").
      await conn.exec(`SET LOCAL maintenance_work_mem = '${BUILD_MEMORY}'`);
      await conn.exec(trackIndexDdl(build));
    }),
  );
  await db.sql.exec('VACUUM ANALYZE');
  const trackIndex = new Map(
    (await db.sql.query<{ id: string; title: string }>('SELECT id::text, title FROM track')).map((r) => [
      r.id,
      Number(r.title.slice(1)),
    ]),
  );
  return { modelId, indexMs, trackIndex };
}

/** READY videos owned by `ownerId`, one per query vector, each embedded under the model. */
export async function addQueryVideos(
  db: Database,
  modelId: string,
  queries: Float32Array[],
  ownerId: string,
): Promise<string[]> {
  const rows = await db.sql.query<{ id: string }>(
    `WITH v AS (
       INSERT INTO video (owner_id, media_uri, status, updated_at)
       SELECT $1, 'media://q' || i, 'READY', now() FROM generate_series(1, $2) i RETURNING id, media_uri)
     SELECT id::text FROM v ORDER BY substr(media_uri, 10)::int`,
    [ownerId, queries.length],
  );
  const ids = rows.map((r) => r.id);
  await db.sql.query(
    `INSERT INTO video_embedding (video_id, model_version_id, embedding)
     SELECT v, $2, e::vector FROM unnest($1::uuid[], $3::text[]) AS q(v, e)`,
    [ids, modelId, queries.map(vectorText)],
  );
  return ids;
}
