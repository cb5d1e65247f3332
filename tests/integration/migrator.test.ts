import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/common/logger';
import { openDatabase } from '../../src/db/database';
import { MigrationError, migrate, readMigrations } from '../../src/db/migrator';
import { describeMode, MODES, TestEnv } from './harness';

const logger = createLogger('silent');

describe.each(MODES)('migrator', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    afterAll(() => env.cleanup());

    it('applies every migration exactly once, also when several processes start at once', async () => {
      const config = (await env.config()).database;
      // Postgres: separate pools racing for the advisory lock. PGlite is single-process, so the
      // race there is between concurrent callers on one instance.
      const dbs =
        config.kind === 'postgres'
          ? await Promise.all([1, 2, 3, 4].map(() => openDatabase(config, logger)))
          : [await openDatabase(config, logger)];
      try {
        const runners = config.kind === 'postgres' ? dbs : [dbs[0]!, dbs[0]!, dbs[0]!];
        const results = await Promise.all(runners.map((db) => migrate(db.sql)));
        const all = readMigrations().map((m) => m.name);
        expect(results.flatMap((r) => r.applied).sort()).toEqual(all);
        const rows = await dbs[0]!.sql.query<{ n: string }>('SELECT count(*)::text AS n FROM "_prisma_migrations"');
        expect(Number(rows[0]!.n)).toBe(all.length);
        expect((await migrate(dbs[0]!.sql)).applied).toEqual([]);
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
      }
    });

    it('refuses a migration that was edited after it was applied', async () => {
      const db = await openDatabase((await env.config()).database, logger);
      try {
        await migrate(db.sql);
        const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
        await expect(migrate(db.sql, edited)).rejects.toThrow(MigrationError);
      } finally {
        await db.close();
      }
    });

    it('rolls back a failing migration and records nothing for it', async () => {
      const db = await openDatabase((await env.config()).database, logger);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-mig-'));
      try {
        const broken = {
          name: '29990101000000_broken',
          sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();',
          checksum: 'x'.repeat(64),
        };
        await expect(migrate(db.sql, [...readMigrations(), broken])).rejects.toThrow(/29990101000000_broken failed/);
        const tables = await db.sql.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
        expect(tables).toHaveLength(0);
        const rows = await db.sql.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '${broken.name}'`);
        expect(rows).toHaveLength(0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        await db.close();
      }
    });
  });
});
