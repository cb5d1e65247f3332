import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { AppConfig } from '../config/config';
import type { Logger } from '../common/logger';
import { PrismaClient } from '../generated/prisma/client';
import type { SqlConnection, SqlRunner } from './sql-runner';

export { PrismaClient };

/** The database seam: Postgres (pg pool) in production, PGlite in a local folder when embedded. */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly prisma: PrismaClient;
  readonly sql: SqlRunner;
  close(): Promise<void>;
}

export async function openDatabase(config: AppConfig['database'], logger: Logger): Promise<Database> {
  return config.kind === 'postgres' ? openPostgres(config.url, config.poolSize, logger) : openPglite(config.dir);
}

function openPostgres(url: string, poolSize: number, logger: Logger): Database {
  const pool = new Pool({ connectionString: url, max: poolSize });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ err }, 'postgres idle client error'));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const conn = (c: Pick<Pool, 'query'>): SqlConnection => ({
    exec: async (sql) => void (await c.query(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await c.query(sql, params)).rows as T[],
  });
  return {
    kind: 'postgres',
    prisma,
    sql: {
      ...conn(pool),
      transaction: async (fn) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn(conn(client));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      },
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dir: string): Promise<Database> {
  fs.mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir, { extensions: { vector } });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pg) });
  const conn: SqlConnection = {
    exec: async (sql) => void (await pg.exec(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await pg.query<T>(sql, params)).rows,
  };
  return {
    kind: 'pglite',
    prisma,
    sql: {
      ...conn,
      // PGlite is one connection; its transaction() holds every other query off until it ends.
      transaction: (fn) =>
        pg.transaction((tx) =>
          fn({
            exec: async (sql) => void (await tx.exec(sql)),
            query: async <T>(sql: string, params?: unknown[]) => (await tx.query<T>(sql, params)).rows,
          }),
        ),
    },
    close: async () => {
      await prisma.$disconnect();
      await pg.close();
    },
  };
}
