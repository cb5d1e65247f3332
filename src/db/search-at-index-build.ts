import type { AppConfig } from '../config/config';
import type { Logger } from '../common/logger';
import { type Database, openDatabase } from './database';
import { efSearchFor, isOlderBuild, readTrackIndexBuild, TRACK_INDEX_BUILD } from './track-index';

/**
 * After the migrations: the database with connections whose ef_search suits the live track index.
 * ef_search is a connection setting fixed when a connection opens (database.ts), and which build
 * the index has is known only now (the migrations rebuild a small catalog's index, not a large
 * one's), so when the configured or default value does not suit it the database is reopened once.
 * SEARCH_HNSW_EF_SEARCH, when set, is kept whatever the build.
 */
export async function searchAtIndexBuild(
  db: Database,
  config: AppConfig['database'],
  logger: Logger,
): Promise<Database> {
  const build = await readTrackIndexBuild(db.sql);
  if (build && isOlderBuild(build)) {
    logger.warn(
      { build, target: TRACK_INDEX_BUILD },
      'the track index has an older build (more than 10,000 embeddings when migrated): searches need a larger ef_search; rebuild it with `npm run track-index:rebuild`',
    );
  }
  if (config.hnswEfSearch !== undefined) return db;
  const efSearch = efSearchFor(build);
  if (efSearch === db.hnswEfSearch) return db;
  await db.close();
  return openDatabase({ ...config, hnswEfSearch: efSearch }, logger);
}
