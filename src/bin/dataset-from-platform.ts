/**
 * `npm run dataset:from-platform -- --out DIR [--held-out-fraction 0.2]`: the creators' choices
 * and raters' votes as a dataset folder (src/modules/choice/platform-dataset.ts), to be turned
 * into the trainer's input by `npm run dataset:export -- --dataset DIR --out DIR-x`. Reads the
 * database and media store the environment configures (DATABASE_URL and MEDIA_STORE, or the
 * embedded ones in DATA_DIR).
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../common/logger';
import { loadConfig } from '../config/config';
import { openDatabase } from '../db/database';
import { snapshotPlatformDataset } from '../modules/choice/platform-dataset';
import { PrismaTrainingPairRepository } from '../modules/choice/training-pairs.repository';
import { openMediaStorage } from '../storage/open-media-storage';

async function main() {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, 'held-out-fraction': { type: 'string', default: '0.2' } },
  });
  if (!values.out) throw new Error('usage: dataset-from-platform --out DIR [--held-out-fraction 0.2]');
  const config = loadConfig();
  const db = await openDatabase(config.database, createLogger('warn'));
  try {
    const summary = await snapshotPlatformDataset(
      new PrismaTrainingPairRepository(db.prisma),
      openMediaStorage(config),
      {
        outDir: values.out,
        heldOutFraction: Number(values['held-out-fraction']),
      },
    );
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
