import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../common/paths';
import type { SqlConnection, SqlRunner } from './sql-runner';

// The key `prisma migrate deploy` locks too, so our migrator and Prisma's exclude each other.
const ADVISORY_LOCK_KEY = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Reads prisma/migrations/<timestamp>_<name>/migration.sql in name order. */
export function readMigrations(dir = path.join(projectRoot(), 'prisma', 'migrations')): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

// Same table as Prisma Migrate keeps, so `prisma migrate deploy` sees our history as its own.
const BOOKKEEPING_DDL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies pending migrations in one transaction under a transaction-level advisory lock, so that
 * several processes starting at once apply each migration exactly once (the others wait, then
 * find nothing to do), and a failing migration leaves no trace.
 */
export async function migrate(runner: SqlRunner, migrations = readMigrations()): Promise<MigrationResult> {
  return runner.transaction(async (conn) => {
    await conn.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY]);
    // The catalog's commit counter is bumped by deferred triggers (20261217000000_catalog_epoch).
    // Events still pending at a later ALTER TABLE or CREATE INDEX on the same table fail it ("pending
    // trigger events"), and all pending migrations share this transaction: fire them per statement.
    await conn.query('SET CONSTRAINTS ALL IMMEDIATE');
    return applyPending(conn, migrations);
  });
}

async function applyPending(conn: SqlConnection, migrations: Migration[]): Promise<MigrationResult> {
  await conn.exec(BOOKKEEPING_DDL);
  const rows = await conn.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
  );
  const done = new Map<string, AppliedRow>();
  for (const row of rows) {
    if (row.rolled_back_at) continue;
    if (!row.finished_at) {
      throw new MigrationError(`Migration ${row.migration_name} started but did not finish; resolve it by hand`);
    }
    done.set(row.migration_name, row);
  }
  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...done.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new MigrationError(`Database has migrations this build does not know: ${unknown.join(', ')}`);
  }

  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const m of migrations) {
    const prior = done.get(m.name);
    if (prior) {
      if (prior.checksum !== m.checksum) {
        throw new MigrationError(`Migration ${m.name} was edited after it was applied (checksum differs)`);
      }
      result.alreadyApplied.push(m.name);
      continue;
    }
    try {
      await conn.exec(m.sql);
    } catch (err) {
      throw new MigrationError(`Migration ${m.name} failed: ${(err as Error).message}`);
    }
    await conn.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 1)`,
      [randomUUID(), m.checksum, m.name],
    );
    result.applied.push(m.name);
  }
  return result;
}
