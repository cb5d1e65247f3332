import { createHmac, timingSafeEqual } from 'node:crypto';
import { failedPrecondition } from '../../common/errors';

/**
 * Signed, expiring URLs of rendered previews (GET /renders/:id): a <video> element or a plain
 * download cannot send the bearer token, so the URL carries an HMAC-SHA256 over (render, expiry)
 * with a key derived from the app's JWT secret under its own label (no render signature is valid
 * as a rater-preview or JWT signature, nor the reverse), as modules/experiment/preview-links.ts.
 */
export class RenderLinks {
  private readonly key: Buffer | undefined;

  /** Without a secret (a worker) no link can be made or checked. */
  constructor(secret?: string) {
    this.key = secret ? createHmac('sha256', secret).update('bgm-preview-render-v1').digest() : undefined;
  }

  sign(renderId: string, expiresAt: Date): { url: string; expiresAt: Date } {
    const exp = Math.floor(expiresAt.getTime() / 1000);
    return { url: `/renders/${renderId}?exp=${exp}&sig=${this.mac(renderId, exp)}`, expiresAt: new Date(exp * 1000) };
  }

  /** True when `sig` was made by sign() for this render and `exp` (unix s) is still ahead. */
  verify(renderId: string, exp: string, sig: string, now: Date): boolean {
    if (!this.key || !/^[0-9a-f-]{36}$/i.test(renderId) || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig))
      return false;
    if (Number(exp) * 1000 <= now.getTime()) return false;
    return timingSafeEqual(Buffer.from(this.mac(renderId, Number(exp))), Buffer.from(sig));
  }

  private mac(renderId: string, exp: number): string {
    if (!this.key) throw failedPrecondition('Preview renders are not served by this process');
    return createHmac('sha256', this.key).update(`${renderId}\n${exp}`).digest('base64url');
  }
}
