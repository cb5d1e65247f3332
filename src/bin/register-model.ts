/**
 * `node dist/src/bin/register-model.js --dir MODEL_DIR [--parent VERSION_ID] [--notes TEXT]` (parent:
 * the active version by default): the
 * training job's last step. Registers an exported model folder as registerModelVersion does
 * (contract and hashes checked, files copied to the media store, VALIDATING with a PROBE_MODEL job
 * that a worker picks up), beside the database rather than through the API: with the API's
 * environment (DATABASE_URL and MEDIA_STORE, or DATA_DIR). Prints the version's id; the version
 * is registered by "training-job" in its lineage.
 */
import { parseArgs } from 'node:util';
import { prismaUnitOfWork } from '../app/repositories';
import { createLogger } from '../common/logger';
import { loadConfig } from '../config/config';
import { openDatabase } from '../db/database';
import { ModelRegistryService } from '../modules/model-version/model-registry.service';
import { openMediaStorage } from '../storage/open-media-storage';

async function main() {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, parent: { type: 'string' }, notes: { type: 'string' } },
  });
  if (!values.dir) throw new Error('usage: register-model --dir MODEL_DIR [--parent VERSION_ID] [--notes TEXT]');
  const config = loadConfig();
  const logger = createLogger('warn');
  const db = await openDatabase(config.database, logger);
  try {
    const uow = prismaUnitOfWork(db.prisma, { jobMaxAttempts: config.worker.maxAttempts });
    // The job row and its outbox message commit together; a running API or worker relays it.
    const registry = new ModelRegistryService(uow, openMediaStorage(config), () => undefined, logger);
    // The version it is meant to replace: the active one unless --parent names another.
    const parent = values.parent ?? (await uow.run(({ models }) => models.findActive()))?.id;
    const model = await registry.registerFolder({ id: 'training-job', roles: ['admin'] }, values.dir, {
      ...(parent ? { parentVersionId: parent } : {}),
      ...(values.notes ? { notes: values.notes } : {}),
    });
    process.stdout.write(
      `${JSON.stringify({ id: model.id, name: model.name, version: model.version, status: model.status })}\n`,
    );
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
