import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import { AppError, ErrorCode } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { projectRoot } from '../../common/paths';
import type { PreferenceService } from '../../modules/experiment/preference.service';
import type { PreviewLinks } from '../../modules/experiment/preview-links';
import type { PreviewRenderService } from '../../modules/preview-render/preview-render.service';
import { type RenderStorage, sendRender } from '../send-render';

export interface RaterRouteDeps {
  /** Checks the signature of a preview URL (made by the same links when the task was served). */
  links: Pick<PreviewLinks, 'verify'>;
  /** What a preview mixes. */
  previews: Pick<PreferenceService, 'previewSource'>;
  /** The render job path (RENDER_PREVIEW): previews are rendered by workers, never in the API. */
  renders: Pick<PreviewRenderService, 'raterPreview'>;
  storage: RenderStorage;
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

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.NotFound]: 404,
  [ErrorCode.FailedPrecondition]: 409,
  [ErrorCode.ServiceUnavailable]: 503,
};

/**
 * The rater web page (GET /rater) and the previews it plays (GET /rater/preview/:taskId/:side).
 * Preview URLs carry a short-lived HMAC signature instead of the bearer token, which media
 * elements cannot send; a bad or expired signature gets 403. A preview is a preview render (the
 * suggestion's cut from the arm's start offset, ducked under the voice-over), rendered by a
 * RENDER_PREVIEW job like renderPreview's: `?probe=1` asks for the render (queuing it the first
 * time) and answers its status, which the page polls until READY before it plays the URL; without
 * it the route streams a READY render and answers 503 with Retry-After while it is being made.
 */
export function mountRaterRoutes(app: Express, deps: RaterRouteDeps, logger: Logger): void {
  const { links, previews, renders, storage } = deps;

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
      const render = await renders.raterPreview(source);
      if (req.query.probe === '1') {
        res.setHeader('cache-control', 'no-store');
        res.json({ status: render.status, error: render.error });
        return;
      }
      if (render.status === 'FAILED') {
        res.status(500).json({ error: `preview could not be rendered: ${render.error ?? 'unknown error'}` });
        return;
      }
      if (render.status !== 'READY' || !render.mediaUri) {
        res.setHeader('retry-after', '1');
        res.status(503).json({ status: render.status, error: 'the preview is being rendered; ask again' });
        return;
      }
      res.setHeader('cache-control', 'private, max-age=600');
      await sendRender(req, res, storage, render.mediaUri);
    } catch (err) {
      const status = err instanceof AppError ? STATUS_OF[err.code] : undefined;
      if (status && !res.headersSent) {
        res.status(status).json({ error: (err as AppError).message });
        return;
      }
      logger.error({ err, taskId, side }, 'preview could not be served');
      if (res.headersSent) return void res.destroy();
      res.status(500).json({ error: 'preview could not be served' });
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
}
