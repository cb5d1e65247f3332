/**
 * `npm run track-index:rebuild [-- --maintenance-work-mem 2GB] [--force]`: rebuilds the track
 * index as the migrations build it (src/db/track-index.ts) while the API keeps searching
 * (CREATE INDEX CONCURRENTLY, then a swap; src/db/track-index-rebuild.ts). For a catalog the
 * migration left as it was (more than 10,000 embeddings). With the API's environment (DATABASE_URL);
 * not for the embedded database. Prints the result as JSON.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { openPgSession } from '../db/pg-session';
import { TRACK_INDEX_BUILD } from '../db/track-index';
import { rebuildTrackIndex } from '../db/track-index-rebuild';

async function main() {
  const { values } = parseArgs({
    options: { 'maintenance-work-mem': { type: 'string' }, force: { type: 'boolean', default: false } },
  });
  const config = loadConfig();
  if (config.database.kind !== 'postgres') {
    // PGlite is one process's: a second one cannot build beside the running API.
    throw new Error(
      'track-index:rebuild needs DATABASE_URL (Postgres). The embedded database got the new build when it ' +
        'migrated if it held at most 10,000 embeddings; a larger one keeps its build, searched at a matching ef_search',
    );
  }
  const session = await openPgSession(config.database.url, 'track-index-rebuild');
  try {
    const result = await rebuildTrackIndex(session.conn, TRACK_INDEX_BUILD, {
      maintenanceWorkMem: values['maintenance-work-mem'],
      force: values.force,
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.rebuilt) {
      // ef_search is chosen per build when a process starts (start-app.ts): until restarted, running
      // processes search the new graph with the old, larger ef_search (more recall, a little slower).
      process.stderr.write('rebuilt: restart the API and worker processes to search it with its own ef_search\n');
    }
  } finally {
    await session.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
