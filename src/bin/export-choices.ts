/**
 * `npm run -s export:choices > choices.jsonl`: creators' BGM choices as JSON lines, oldest first,
 * for training. Reads the database the environment configures (DATABASE_URL, or the embedded one
 * in DATA_DIR).
 */
import { createLogger } from '../common/logger';
import { loadConfig } from '../config/config';
import { openDatabase } from '../db/database';
import { PrismaChoiceRepository } from '../modules/choice/choice.repository';
import { exportChoices } from '../modules/choice/export-choices';

async function main() {
  const config = loadConfig();
  const db = await openDatabase(config.database, createLogger('warn'));
  try {
    const count = await exportChoices(new PrismaChoiceRepository(db.prisma), (line) => process.stdout.write(line));
    process.stderr.write(`${count} choices exported\n`);
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
