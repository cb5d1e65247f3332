import type { Express, Request, Response } from 'express';
import type { Logger } from '../common/logger';
import type { PreviewRenderRecord } from '../db/prisma-types';
import type { RenderLinks } from '../modules/preview-render/render-links';
import { type RenderStorage, sendRender } from './send-render';

export interface RenderRouteDeps {
  links: Pick<RenderLinks, 'verify'>;
  renders: { findById(id: string): Promise<PreviewRenderRecord | null> };
  /** The folder store serves a local file; an object store streams the object (ranges included). */
  storage: RenderStorage;
}

/**
 * GET /renders/:id?exp&sig: a READY preview render (renderPreview), for whoever holds the signed
 * URL previewRender answered. A bad, forged or expired signature gets 403; a render not READY (or
 * swept) 404. Range requests are answered, so players seek and stream.
 */
export function mountRenderRoutes(app: Express, deps: RenderRouteDeps, logger: Logger): void {
  app.get('/renders/:id', async (req: Request<{ id: string }>, res: Response) => {
    const { id } = req.params;
    const exp = typeof req.query.exp === 'string' ? req.query.exp : '';
    const sig = typeof req.query.sig === 'string' ? req.query.sig : '';
    if (!deps.links.verify(id, exp, sig, new Date())) {
      res.status(403).json({ error: 'invalid or expired render link; ask previewRender for a new one' });
      return;
    }
    try {
      const render = await deps.renders.findById(id);
      if (!render || render.status !== 'READY' || !render.mediaUri || render.expiresAt.getTime() <= Date.now()) {
        res.status(404).json({ error: 'no such render (not ready, or expired)' });
        return;
      }
      res.setHeader('cache-control', 'private, max-age=600');
      await sendRender(req, res, deps.storage, render.mediaUri);
    } catch (err) {
      logger.error({ err, renderId: id }, 'render could not be served');
      if (res.headersSent) return void res.destroy();
      res.status(500).json({ error: 'render could not be served' });
    }
  });
}
