import type { Logger } from '../common/logger';
import { startPeriodic } from '../common/periodic';
import type { MediaStorage } from '../storage/media-storage';
import type { RenderRows } from './handlers/render-preview.handler';

/** Rows per statement, and statements per run (a backlog drains over a few runs). */
const BATCH = 500;
const MAX_BATCHES = 20;

/**
 * Deletes expired preview renders: the rows (so a new request renders again) and their files. A
 * file whose deletion fails is logged and left (its key is under the video's preview folder, which
 * the video's deletion removes). Returns the renders deleted.
 */
export async function sweepExpiredRenders(
  renders: Pick<RenderRows, 'deleteExpired'>,
  storage: Pick<MediaStorage, 'discard'>,
  logger: Logger,
  now = new Date(),
): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const gone = await renders.deleteExpired(now, BATCH);
    for (const { id, mediaUri } of gone) {
      if (!mediaUri) continue;
      await storage.discard(mediaUri).catch((err: unknown) => logger.warn({ err, renderId: id }, 'render file kept'));
    }
    total += gone.length;
    if (gone.length < BATCH) break;
  }
  return total;
}

/** Runs sweepExpiredRenders every `intervalMs` where jobs run. Returns a stop function. */
export function startRenderSweep(
  renders: Pick<RenderRows, 'deleteExpired'>,
  storage: Pick<MediaStorage, 'discard'>,
  logger: Logger,
  intervalMs: number,
): () => Promise<void> {
  const sweep = async () => {
    const n = await sweepExpiredRenders(renders, storage, logger);
    if (n > 0) logger.info({ renders: n }, 'expired preview renders deleted');
  };
  return startPeriodic('preview render sweep', sweep, intervalMs, logger);
}
