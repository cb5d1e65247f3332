/**
 * Exports creators' BGM choices as JSON lines (one {videoId, trackId, userId, rank, createdAt}
 * per line, oldest first) for training. Usage: npm run -s export:choices > choices.jsonl
 * Reads the database the environment configures (DATABASE_URL, or the embedded one in DATA_DIR).
 */
import { createLogger } from '../../common/logger';
import { loadConfig } from '../../config/config';
import { openDatabase } from '../../db/database';
import { PrismaChoiceRepository, type ChoiceRepository } from './choice.repository';

const PAGE = 1000;

/** Pages through every choice in (createdAt, id) order; returns how many were written. */
export async function exportChoices(choices: ChoiceRepository, write: (line: string) => void): Promise<number> {
  let count = 0;
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const rows = await choices.list(PAGE, after);
    for (const { id, videoId, trackId, userId, rank, createdAt } of rows) {
      write(`${JSON.stringify({ id, videoId, trackId, userId, rank, createdAt: createdAt.toISOString() })}\n`);
    }
    count += rows.length;
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) return count;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

async function main() {
  const config = loadConfig();
  const logger = createLogger('warn');
  const db = await openDatabase(config.database, logger);
  try {
    const count = await exportChoices(new PrismaChoiceRepository(db.prisma), (line) => process.stdout.write(line));
    process.stderr.write(`${count} choices exported\n`);
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
