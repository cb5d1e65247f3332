import type { RequestHandler } from 'express';
import type { JwtAuthenticator } from '../auth/jwt';
import { ErrorCode } from '../common/errors';
import type { CallerRateLimiter } from '../common/rate-limiter';

/**
 * Spends one point of the caller's budget (token and address) per request of an expensive REST
 * route; a spent budget answers 429 with Retry-After, in the routes' error shape. A bad token
 * counts for the address only; the route itself refuses it.
 */
export function rateLimitMiddleware(limiter: CallerRateLimiter, authenticator: JwtAuthenticator): RequestHandler {
  return async (req, res, next) => {
    const principal = await authenticator.authenticate(req.headers.authorization).catch(() => undefined);
    const verdict = await limiter.consume({ token: principal?.id, ip: req.ip });
    if (verdict.allowed) {
      next();
      return;
    }
    res.setHeader('retry-after', String(verdict.retryAfterSeconds));
    res.status(429).json({
      error: {
        code: ErrorCode.RateLimited,
        message: `Too many expensive requests for this ${verdict.scope === 'ip' ? 'address' : 'token'}`,
        scope: verdict.scope,
        retryAfter: verdict.retryAfterSeconds,
      },
    });
    // Drain the refused body so that the connection can be reused.
    req.resume();
  };
}
