import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlConnection } from './sql-runner';
import { type HnswBuild, readTrackIndexBuild, sameBuild, TRACK_INDEX, trackIndexDdl } from './track-index';

/** The name the new index is built under beside the live one, until the swap. */
export const REBUILD_INDEX = `${TRACK_INDEX}_rebuild`;

export interface RebuildOptions {
  /** maintenance_work_mem for the build ('2GB'); the server's setting when absent. */
  maintenanceWorkMem?: string;
  /** Rebuild even when the live index already has this build. */
  force?: boolean;
  /** How long the swap waits for searches in flight (lock_timeout) per try. */
  swapLockTimeoutMs?: number;
  swapAttempts?: number;
}

export type RebuildResult =
  | { rebuilt: false; build: HnswBuild }
  | { rebuilt: true; from: HnswBuild | null; build: HnswBuild; buildMs: number; indexBytes: number };

const MEMORY = /^\d{1,7}\s*(kB|MB|GB)$/;

/**
 * Rebuilds the track index as `build` while searches go on: `CREATE INDEX CONCURRENTLY` beside the
 * live index (Postgres keeps serving reads and writes; the build takes about as long as a plain one,
 * plus two waits for transactions in flight), then one short transaction that drops the old index
 * and renames the new one. A rebuild interrupted before the swap leaves an INVALID index under
 * REBUILD_INDEX, which the next run drops first; one whose swap gave up (searches held the table
 * for every try) leaves a valid one, which the next run swaps in without building it again.
 * `conn` must be one session (not a pool): the settings below hold for it, and CONCURRENTLY
 * refuses to run inside a transaction.
 */
export async function rebuildTrackIndex(
  conn: SqlConnection,
  build: HnswBuild,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const ddl = trackIndexDdl(build, { name: REBUILD_INDEX, concurrently: true });
  if (options.maintenanceWorkMem !== undefined && !MEMORY.test(options.maintenanceWorkMem)) {
    throw new RangeError('maintenance_work_mem must look like 512MB or 2GB');
  }
  const from = await readTrackIndexBuild(conn);
  if (!options.force && sameBuild(from, build)) return { rebuilt: false, build: from! };
  await conn.exec('SET statement_timeout = 0');
  if (options.maintenanceWorkMem) await conn.exec(`SET maintenance_work_mem = '${options.maintenanceWorkMem}'`);
  const started = performance.now();
  // A run whose swap gave up left a whole new index: swap that instead of building it again.
  if (options.force || !sameBuild(await readTrackIndexBuild(conn, REBUILD_INDEX), build)) {
    await conn.exec(`DROP INDEX CONCURRENTLY IF EXISTS "${REBUILD_INDEX}"`);
    await conn.exec(ddl);
  }
  const buildMs = performance.now() - started;
  await swap(conn, options.swapLockTimeoutMs ?? 5000, options.swapAttempts ?? 12);
  const [size] = await conn.query<{ bytes: string }>('SELECT pg_relation_size(to_regclass($1))::text AS bytes', [
    TRACK_INDEX,
  ]);
  return { rebuilt: true, from, build, buildMs, indexBytes: Number(size!.bytes) };
}

/**
 * DROP INDEX takes the table's strongest lock for a moment. A search in flight holds it off, and
 * while the drop waits in the lock queue every later search waits behind it: lock_timeout bounds
 * that wait, and the swap is tried again after a pause instead.
 */
async function swap(conn: SqlConnection, lockTimeoutMs: number, attempts: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await conn.exec(
        `BEGIN;
         SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)};
         DROP INDEX IF EXISTS "${TRACK_INDEX}";
         ALTER INDEX "${REBUILD_INDEX}" RENAME TO "${TRACK_INDEX}";
         COMMIT;`,
      );
      return;
    } catch (err) {
      await conn.exec('ROLLBACK').catch(() => undefined);
      // 55P03 lock_not_available: searches kept the table busy for the whole lock_timeout.
      if ((err as { code?: string }).code !== '55P03' || attempt >= attempts) throw err;
      await sleep(1000);
    }
  }
}
