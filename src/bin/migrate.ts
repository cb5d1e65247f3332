import { createLogger } from '../common/logger';
import { ConfigError, loadConfig } from '../config/config';
import { openDatabase } from '../db/database';
import { migrate } from '../db/migrator';

/**
 * `npm run migrate` / the deploy's one-shot migration step: applies pending migrations and exits.
 * The API also migrates at start (same advisory lock); running this first means a release with a
 * slow migration fails here, in one place, instead of in every starting pod.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { role: 'migrate' });
  const db = await openDatabase(config.database, logger);
  try {
    const result = await migrate(db.sql);
    logger.info(
      { database: db.kind, applied: result.applied, alreadyApplied: result.alreadyApplied.length },
      'migrations done',
    );
  } finally {
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      err instanceof ConfigError ? `${err.message}\n` : `migration failed: ${(err as Error).stack ?? String(err)}\n`,
    );
    process.exit(1);
  },
);
