import type { ChoiceRepository } from './choice.repository';

const PAGE = 1000;

/**
 * Writes creators' BGM choices as JSON lines (one {id, videoId, trackId, userId, rank, startSec, createdAt}
 * per line), paging through them in (createdAt, id) order; returns how many were written.
 */
export async function exportChoices(choices: ChoiceRepository, write: (line: string) => void): Promise<number> {
  let count = 0;
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const rows = await choices.list(PAGE, after);
    for (const { id, videoId, trackId, userId, rank, startSec, createdAt } of rows) {
      write(
        `${JSON.stringify({ id, videoId, trackId, userId, rank, startSec, createdAt: createdAt.toISOString() })}\n`,
      );
    }
    count += rows.length;
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) return count;
    after = { createdAt: last.createdAt, id: last.id };
  }
}
