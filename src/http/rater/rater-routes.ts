import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import { AppError, ErrorCode } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { startPeriodic } from '../../common/periodic';
import { projectRoot } from '../../common/paths';
import type { PreferenceService } from '../../modules/experiment/preference.service';
import type { PreviewLinks } from '../../modules/experiment/preview-links';
import type { PreviewRenderer } from './preview-renderer';
import { sendStoredPreview, type StoredPreviews } from './stored-previews';

export interface RaterRouteDeps {
  /** Checks the signature of a preview URL (made by the same links when the task was served). */
  links: Pick<PreviewLinks, 'verify'>;
  /** What a preview mixes. */
  previews: Pick<PreferenceService, 'previewSource'>;
  /** Also purges a deleted video's previews (the composition root tells it). */
  renderer: PreviewRenderer;
  /** Rendered previews older than this are deleted by a periodic sweep. */
  cacheMaxAgeMs: number;
  /** MEDIA_STORE=s3: previews are kept in the object store and streamed from it. */
  stored?: StoredPreviews;
}

// Plain files served as they are (no bundler); found from the project root, since the built
// code runs from dist/ where tsc does not copy them.
const PUBLIC_DIR = () => path.join(projectRoot(), 'src', 'http', 'rater', 'public');

// The page loads only its own script, style and media; nothing inline, no third parties.
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The rater web page (GET /rater) and the previews it plays (GET /rater/preview/:taskId/:side).
 * Preview URLs carry a short-lived HMAC signature instead of the bearer token, which media
 * elements cannot send; a bad or expired signature gets 403.
 */
export function mountRaterRoutes(app: Express, deps: RaterRouteDeps, logger: Logger): () => Promise<void> {
  const { links, previews, renderer, stored, cacheMaxAgeMs: maxAgeMs } = deps;
  const stopEviction = startPeriodic(
    'preview cache eviction',
    async () => {
      const removed = await renderer.evictOlderThan(maxAgeMs);
      if (removed > 0) logger.info({ removed }, 'old rater previews deleted');
    },
    Math.min(maxAgeMs / 4, 3_600_000),
    logger,
  );

  app.get('/rater/preview/:taskId/:side', async (req: Request<{ taskId: string; side: string }>, res: Response) => {
    const { taskId, side } = req.params;
    const exp = typeof req.query.exp === 'string' ? req.query.exp : '';
    const sig = typeof req.query.sig === 'string' ? req.query.sig : '';
    if (!links.verify(taskId, side, exp, sig, new Date()) || (side !== 'A' && side !== 'B')) {
      res.status(403).json({ error: 'invalid or expired preview link; ask for the task again' });
      return;
    }
    try {
      const source = await previews.previewSource(taskId, side);
      if (stored) {
        const uri = await stored.render(source);
        res.setHeader('cache-control', 'private, max-age=600');
        await sendStoredPreview(req, res, stored, uri);
        return;
      }
      const file = await renderer.render(source);
      res.setHeader('cache-control', 'private, max-age=600');
      res.type('video/mp4');
      // sendFile answers Range requests, which media elements use to seek and stream.
      res.sendFile(file, { headers: { 'x-content-type-options': 'nosniff' } });
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NotFound) {
        res.status(404).json({ error: err.message });
        return;
      }
      if (err instanceof AppError && err.code === ErrorCode.ServiceUnavailable && !res.headersSent) {
        res.status(503).json({ error: err.message });
        return;
      }
      logger.error({ err, taskId, side }, 'preview rendering failed');
      if (res.headersSent) return void res.destroy();
      res.status(500).json({ error: 'preview could not be rendered' });
    }
  });

  app.use(
    '/rater',
    (_req, res, next) => {
      res.set(PAGE_HEADERS);
      next();
    },
    express.static(PUBLIC_DIR(), { index: 'index.html', maxAge: 0 }),
  );
  return stopEviction;
}
