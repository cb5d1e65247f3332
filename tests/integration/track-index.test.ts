import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '../../src/common/logger';
import { type Database, openDatabase } from '../../src/db/database';
import { migrate, readMigrations } from '../../src/db/migrator';
import { searchAtIndexBuild } from '../../src/db/search-at-index-build';
import { openPgSession as session } from '../../src/db/pg-session';
import {
  efSearchFor,
  PGVECTOR_DEFAULT_BUILD,
  readTrackIndexBuild,
  TRACK_INDEX,
  TRACK_INDEX_BUILD,
  trackIndexDdl,
} from '../../src/db/track-index';
import { REBUILD_INDEX, rebuildTrackIndex } from '../../src/db/track-index-rebuild';
import { describeMode, MODES, TestEnv } from './harness';

const logger = createLogger('silent');
const efSetting = async (db: Database) =>
  Number((await db.sql.query<{ ef: string }>("SELECT current_setting('hnsw.ef_search') AS ef"))[0]!.ef);

describe.each(MODES)('track index', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    afterAll(() => env.cleanup());

    it('is built by the migrations as TRACK_INDEX_BUILD and searched at its ef_search', async () => {
      const app = await env.start();
      try {
        expect(await readTrackIndexBuild(app.db.sql)).toEqual(TRACK_INDEX_BUILD);
        expect(app.db.hnswEfSearch).toBe(efSearchFor(TRACK_INDEX_BUILD));
        expect(await efSetting(app.db)).toBe(efSearchFor(TRACK_INDEX_BUILD));
        expect(efSearchFor(TRACK_INDEX_BUILD)).toBeLessThan(efSearchFor(PGVECTOR_DEFAULT_BUILD));
      } finally {
        await app.stop();
      }
    });

    it('has a command that rebuilds it on Postgres, says what it did, and refuses the embedded database', async () => {
      const config = await env.config();
      const env_ = {
        PATH: process.env.PATH ?? '',
        DATA_DIR: env.dataDir,
        ...(config.database.kind === 'postgres' ? { DATABASE_URL: config.database.url } : {}),
      };
      const run = promisify(execFile)(process.execPath, [REBUILD_BIN], { env: env_ });
      if (mode === 'embedded') {
        await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('needs DATABASE_URL') });
      } else {
        // The migrations (the first test's start) already built it: nothing to do.
        expect(JSON.parse((await run).stdout)).toEqual({ rebuilt: false, build: TRACK_INDEX_BUILD });
      }
    });
  });
});

const REBUILD_BIN = path.resolve(__dirname, '../../dist/src/bin/track-index-rebuild.js');

const randomVector = `(SELECT array_agg(random() - 0.5) FROM generate_series(1, 512) g WHERE t.id IS NOT NULL)::vector`;

describe('track index of a catalog too large to rebuild in a migration', () => {
  describeMode('postgres+nats', () => {
    const env = new TestEnv('postgres+nats');
    let url: string;
    let db: Database;
    let modelId: string;

    beforeAll(async () => {
      const config = (await env.config()).database;
      if (config.kind !== 'postgres') throw new Error('postgres mode');
      url = config.url;
      db = await openDatabase(config, logger);
      // The schema as it was before the index build migration, with more embeddings than it rebuilds.
      await migrate(
        db.sql,
        readMigrations().filter((m) => m.name < '20261219000000'),
      );
      await db.sql.transaction(async (conn) => {
        await conn.exec('SET CONSTRAINTS ALL IMMEDIATE');
        const [model] = await conn.query<{ id: string }>(
          `INSERT INTO model_version (name, version, dims, artifact_uri, manifest, active, activated_at)
           VALUES ('m', '1', 512, 'memory://', '{}', true, now()) RETURNING id::text`,
        );
        modelId = model!.id;
        await conn.exec(`
          DROP INDEX ${TRACK_INDEX};
          INSERT INTO track (title, artist, media_uri, content_hash, status, updated_at, duration_sec)
          SELECT 'T' || i, 'A', 'media://t' || i, 'h' || i, 'READY', now(), 120 FROM generate_series(1, 10001) i;
          INSERT INTO track_embedding (track_id, model_version_id, embedding)
          SELECT t.id, '${modelId}', ${randomVector} FROM track t;
          SET LOCAL maintenance_work_mem = '256MB';
          CREATE INDEX ${TRACK_INDEX} ON track_embedding USING hnsw (embedding vector_cosine_ops);`);
      });
      await migrate(db.sql);
    }, 300_000);
    afterAll(async () => {
      await db?.close();
      await env.cleanup();
    });

    it('keeps the old build through the migration and searches it at the old build ef_search', async () => {
      expect(await readTrackIndexBuild(db.sql)).toEqual(PGVECTOR_DEFAULT_BUILD);
      const config = (await env.config()).database;
      db = await searchAtIndexBuild(db, config, logger);
      expect(db.hnswEfSearch).toBe(efSearchFor(PGVECTOR_DEFAULT_BUILD));
      expect(await efSetting(db)).toBe(efSearchFor(PGVECTOR_DEFAULT_BUILD));
      // An operator's SEARCH_HNSW_EF_SEARCH is kept whatever the build.
      const pinnedConfig = { ...config, hnswEfSearch: 77 };
      const pinned = await searchAtIndexBuild(await openDatabase(pinnedConfig, logger), pinnedConfig, logger);
      try {
        expect(await efSetting(pinned)).toBe(77);
      } finally {
        await pinned.close();
      }
    });

    it('rebuilds it while searches and writes go on, then the next start searches it at the new ef_search', async () => {
      const { conn, close } = await session(url);
      // The searches that go on: through the index (at 10k rows the planner would rather scan).
      const searcher = await session(url);
      await searcher.conn.exec('SET enable_seqscan = off');
      const plan = async () =>
        (
          await searcher.conn.query<{ 'QUERY PLAN': string }>(
            'EXPLAIN SELECT 1 FROM track_embedding ORDER BY embedding <=> array_fill(1, ARRAY[512])::vector LIMIT 10',
          )
        )
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      expect(await plan()).toContain(`Index Scan using ${TRACK_INDEX}`);
      // An interrupted earlier run's leftover under the rebuild's name (not even an HNSW index).
      await conn.exec(`CREATE INDEX ${REBUILD_INDEX} ON track_embedding (track_id)`);
      let stop = false;
      let searches = 0;
      const searching = (async () => {
        while (!stop) {
          const rows = await searcher.conn.query(
            `SELECT track_id FROM track_embedding ORDER BY embedding <=> (SELECT embedding FROM track_embedding LIMIT 1) LIMIT 10`,
          );
          expect(rows).toHaveLength(10);
          searches++;
        }
      })();
      // A track embedded while the new index builds is in it after the swap.
      const writing = (async () => {
        await new Promise((r) => setTimeout(r, 300));
        await db.sql.exec(`
          WITH t AS (INSERT INTO track (title, artist, media_uri, content_hash, status, updated_at, duration_sec)
                     VALUES ('late', 'A', 'media://late', 'late', 'READY', now(), 120) RETURNING id)
          INSERT INTO track_embedding (track_id, model_version_id, embedding)
          SELECT t.id, '${modelId}', array_fill(1, ARRAY[512])::vector FROM t`);
      })();
      try {
        const result = await rebuildTrackIndex(conn, TRACK_INDEX_BUILD, { maintenanceWorkMem: '256MB' });
        stop = true;
        await Promise.all([searching, writing]);
        expect(result).toMatchObject({ rebuilt: true, from: PGVECTOR_DEFAULT_BUILD, build: TRACK_INDEX_BUILD });
        expect(searches).toBeGreaterThan(0);
        expect(await readTrackIndexBuild(db.sql)).toEqual(TRACK_INDEX_BUILD);
        expect(await db.sql.query('SELECT 1 FROM pg_class WHERE relname = $1', [REBUILD_INDEX])).toHaveLength(0);
        const [nearest] = await db.sql.query<{ title: string }>(
          `SELECT t.title FROM track_embedding te JOIN track t ON t.id = te.track_id
           ORDER BY te.embedding <=> array_fill(1, ARRAY[512])::vector LIMIT 1`,
        );
        expect(nearest?.title).toBe('late');
        expect(await plan()).toContain(`Index Scan using ${TRACK_INDEX}`);

        db = await searchAtIndexBuild(db, (await env.config()).database, logger);
        expect(await efSetting(db)).toBe(efSearchFor(TRACK_INDEX_BUILD));
        expect(await rebuildTrackIndex(conn, TRACK_INDEX_BUILD)).toEqual({ rebuilt: false, build: TRACK_INDEX_BUILD });
      } finally {
        stop = true;
        await searching.catch(() => undefined);
        await searcher.close();
        await close();
      }
    }, 300_000);

    it('gives up the swap while searches hold the table, and the next run swaps the index it built', async () => {
      const { conn, close } = await session(url);
      const blocker = await session(url);
      try {
        const target = { m: 12, efConstruction: 40 };
        await conn.exec(trackIndexDdl(target, { name: REBUILD_INDEX }));
        const [built] = await conn.query<{ oid: number }>('SELECT to_regclass($1)::oid AS oid', [REBUILD_INDEX]);
        await blocker.conn.exec('BEGIN; SELECT count(*) FROM track_embedding');
        await expect(
          rebuildTrackIndex(conn, target, { swapLockTimeoutMs: 100, swapAttempts: 2 }),
        ).rejects.toMatchObject({ code: '55P03' });
        // Nothing changed for searches: the live index is the one before.
        expect(await readTrackIndexBuild(db.sql)).toEqual(TRACK_INDEX_BUILD);
        await blocker.conn.exec('COMMIT');

        await expect(rebuildTrackIndex(conn, target)).resolves.toMatchObject({ rebuilt: true, build: target });
        const [live] = await conn.query<{ oid: number }>('SELECT to_regclass($1)::oid AS oid', [TRACK_INDEX]);
        expect(live!.oid).toBe(built!.oid);
        await expect(rebuildTrackIndex(conn, TRACK_INDEX_BUILD, { maintenanceWorkMem: '1 TB; DROP' })).rejects.toThrow(
          RangeError,
        );
      } finally {
        await blocker.close();
        await close();
      }
    }, 300_000);
  });
});
