import path from 'node:path';
import type express from 'express';
import type { JwtAuthenticator } from '../auth/jwt';
import { AppError, ErrorCode } from '../common/errors';
import type { MediaStorage } from '../storage/media-storage';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BadUserInput]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
};

/**
 * POST /media/uploads: the raw file as the body (any content type), `x-filename` for its extension.
 * Apps upload a video or voice-over, admins a catalog track; the answer's mediaUri is then passed
 * to registerVideo or ingestTracks. Bearer token required (never a cookie, so no CSRF exposure).
 */
export function mountUploadRoutes(app: express.Express, authenticator: JwtAuthenticator, storage: MediaStorage): void {
  app.post('/media/uploads', async (req, res) => {
    try {
      const principal = await authenticator.authenticate(req.headers.authorization);
      if (!principal) throw new AppError(ErrorCode.Unauthenticated, 'Authentication required');
      if (!principal.roles.some((r) => r === 'app' || r === 'admin'))
        throw new AppError(ErrorCode.Forbidden, 'Requires role app or admin');
      const filename = String(req.headers['x-filename'] ?? '');
      const saved = await storage.saveUpload(req, path.extname(filename).toLowerCase());
      res.status(201).json({ mediaUri: saved.uri, sha256: saved.sha256, sizeBytes: saved.sizeBytes });
    } catch (err) {
      if (err instanceof AppError) {
        res.status(HTTP_STATUS[err.code] ?? 400).json({ error: { code: err.code, message: err.message } });
        req.resume();
        return;
      }
      req.log.error({ err }, 'upload failed');
      res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
    }
  });
}
