import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type QueryConfig } from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { AppConfig, PostgresConfig } from '../config/config';
import type { Logger } from '../common/logger';
import { PrismaClient } from '../generated/prisma/client';
import { PreparedStatementNames } from './prepared-statements';
import type { QueryOptions, SqlConnection, SqlRunner } from './sql-runner';
import { efSearchFor, TRACK_INDEX_BUILD } from './track-index';

export { PrismaClient };

/** The database seam: Postgres (pg pool) in production, PGlite in a local folder when embedded. */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** hnsw.ef_search of its connections. */
  readonly hnswEfSearch: number;
  readonly prisma: PrismaClient;
  readonly sql: SqlRunner;
  /**
   * Connections whose prepared statements are planned once (plan_cache_mode force_generic_plan),
   * for statements whose plan does not depend on their values: suggestBgm's statement with
   * candidates from the in-process index. Postgres' own choice keeps planning that statement
   * for every call, about 1.5 ms at 100k tracks. PGlite: its one session (planned as usual).
   */
  readonly genericPlanSql: Pick<SqlConnection, 'query'>;
  close(): Promise<void>;
}

export async function openDatabase(config: AppConfig['database'], logger: Logger): Promise<Database> {
  return config.kind === 'postgres' ? openPostgres(config, logger) : openPglite(config.dir, config.hnswEfSearch);
}

/** When neither the config nor the caller names one: the ef_search of the migrations' index build. */
export const DEFAULT_HNSW_EF_SEARCH = efSearchFor(TRACK_INDEX_BUILD);

/**
 * Vector search settings of every connection, so that a search is one statement (no transaction
 * to scope SET LOCAL): iterative index scans (pgvector >= 0.8) keep walking the HNSW graph until
 * enough rows pass the filters, so a selective license filter does not shorten a page; the order
 * is relaxed (callers re-sort the candidates they get). They only change HNSW index scans.
 */
export const vectorSearchSettings = (efSearch: number) => ({
  'hnsw.iterative_scan': 'relaxed_order',
  'hnsw.ef_search': String(Math.trunc(efSearch)),
});

/**
 * Settings of every connection besides the vector search's. JIT off: Postgres compiles a plan whose
 * estimated cost passes jit_above_cost (100,000), and suggestBgm's plan passes it from about 100k
 * tracks on the cost of its exact-scan fallback alone, which is planned but almost never run; the
 * compilation then took 74 of the statement's 83 ms (EXPLAIN ANALYZE, 100k tracks). Every query of
 * this service is short; none gains from JIT.
 */
export const connectionSettings = (efSearch: number) => ({
  ...vectorSearchSettings(efSearch),
  jit: 'off',
});

/** The longest timer Node keeps (about 24.8 days): a query_timeout that never fires in practice. */
const UNBOUNDED = 2 ** 31 - 1;
/** How much longer than the server's statement_timeout the client waits for an answer. */
const CLIENT_GRACE_MS = 2000;

function postgresPool(
  config: PostgresConfig,
  hnswEfSearch: number,
  logger: Logger,
  extra: Record<string, string> = {},
) {
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    idle_in_transaction_session_timeout: config.idleInTransactionTimeoutMs,
    // statement_timeout needs a server that answers; a silent one (a partition, a hung host) is
    // bounded only by the client giving up.
    query_timeout: config.statementTimeoutMs + CLIENT_GRACE_MS,
    keepAlive: true,
    // A new server process is slow for its first queries (at 100k tracks the first ten suggestBgm
    // statements on a fresh connection took 30-100 ms, later ones 8 ms): keep connections for
    // minutes between bursts, not pg's default 10 s.
    idleTimeoutMillis: 300_000,
    // Startup options: the server applies them before the first query, no extra round trip.
    options: Object.entries({ ...connectionSettings(hnswEfSearch), ...extra })
      .map(([name, value]) => `-c ${name}=${value}`)
      .join(' '),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ err }, 'postgres idle client error'));
  return pool;
}

function openPostgres(config: PostgresConfig, logger: Logger): Database {
  const hnswEfSearch = config.hnswEfSearch ?? DEFAULT_HNSW_EF_SEARCH;
  const pool = postgresPool(config, hnswEfSearch, logger);
  // Opens connections only when a statement needs one (pg's pools connect lazily).
  const genericPool = postgresPool(config, hnswEfSearch, logger, { plan_cache_mode: 'force_generic_plan' });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  // query_timeout per query: undefined keeps the pool's bound, UNBOUNDED lifts it (migrations).
  // (pg reads query_timeout from a query's config; its types do not list it.)
  const prepared = new PreparedStatementNames();
  const q = (text: string, values: unknown[] | undefined, queryTimeout: number | undefined, options?: QueryOptions) =>
    ({
      text,
      values,
      query_timeout: queryTimeout,
      name: options?.prepare ? prepared.nameFor(text) : undefined,
    }) as QueryConfig;
  const conn = (c: Pick<Pool, 'query'>, queryTimeout?: number): SqlConnection => ({
    exec: async (sql) => void (await c.query(q(sql, undefined, queryTimeout))),
    query: async <T>(sql: string, params?: unknown[], options?: QueryOptions) =>
      (await c.query(q(sql, params, queryTimeout, options))).rows as T[],
  });
  return {
    kind: 'postgres',
    hnswEfSearch,
    prisma,
    genericPlanSql: conn(genericPool),
    sql: {
      ...conn(pool),
      transaction: async (fn) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          // The runner's transactions are the migrations: an index build on a large table may take
          // far longer than a request's statement bound, and waiting for another process's
          // migration lock is expected.
          await client.query('SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0');
          const result = await fn(conn(client, UNBOUNDED));
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
      await genericPool.end();
    },
  };
}

async function openPglite(dir: string, hnswEfSearch = DEFAULT_HNSW_EF_SEARCH): Promise<Database> {
  fs.mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir, { extensions: { vector } });
  // PGlite is one session: set once, it holds for every query.
  for (const [name, value] of Object.entries(connectionSettings(hnswEfSearch))) {
    await pg.query('SELECT set_config($1, $2, false)', [name, value]);
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pg) });
  const conn: SqlConnection = {
    exec: async (sql) => void (await pg.exec(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await pg.query<T>(sql, params)).rows,
  };
  return {
    kind: 'pglite',
    hnswEfSearch,
    prisma,
    genericPlanSql: conn,
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
