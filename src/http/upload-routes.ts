import path from 'node:path';
import type express from 'express';
import type { JwtAuthenticator } from '../auth/jwt';
import { AppError, ErrorCode } from '../common/errors';
import type { UploadService } from '../modules/video/upload.service';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BadUserInput]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.QuotaExceeded]: 429,
};

/**
 * POST /media/uploads: the raw file as the body (any content type), `x-filename` for its extension.
 * Apps upload a video or voice-over, admins a catalog track; the answer's mediaUri is then passed
 * to registerVideo or ingestTracks. Bearer token required (never a cookie, so no CSRF exposure).
 */
export function mountUploadRoutes(app: express.Express, authenticator: JwtAuthenticator, uploads: UploadService): void {
  app.post('/media/uploads', async (req, res) => {
    try {
      const principal = await authenticator.authenticate(req.headers.authorization);
      if (!principal) throw new AppError(ErrorCode.Unauthenticated, 'Authentication required');
      const filename = String(req.headers['x-filename'] ?? '');
      // Recorded as the caller's: registerVideo accepts only the caller's own uploads (quota: 429).
      const saved = await uploads.accept(principal, req, path.extname(filename).toLowerCase());
      res.status(201).json(saved);
    } catch (err) {
      if (err instanceof AppError) {
        res
          .status(HTTP_STATUS[err.code] ?? 400)
          .json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
        req.resume();
        return;
      }
      req.log.error({ err }, 'upload failed');
      res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
    }
  });
}
