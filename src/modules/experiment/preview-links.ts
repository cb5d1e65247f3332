import { createHmac, timingSafeEqual } from 'node:crypto';
import { failedPrecondition } from '../../common/errors';

export type Side = 'A' | 'B';

export interface SignedPreview {
  url: string;
  expiresAt: Date;
}

/**
 * Short-lived signed preview URLs. <video> elements cannot send an Authorization header, so the
 * URL itself carries the proof: HMAC-SHA256 over (task, side, expiry) with a key derived from the
 * app's JWT secret. The derivation keeps the two uses apart: no preview signature is a valid
 * JWT signature or the reverse.
 */
export class PreviewLinks {
  private readonly key: Buffer | undefined;

  /**
   * Without a secret (a process that does not serve the previews, such as a worker) no task can be
   * served, since its previews could not be played.
   */
  constructor(secret?: string) {
    this.key = secret ? createHmac('sha256', secret).update('bgm-rater-preview-v1').digest() : undefined;
  }

  get ready(): boolean {
    return this.key !== undefined;
  }

  sign(taskId: string, side: Side, expiresAt: Date): SignedPreview {
    const exp = Math.floor(expiresAt.getTime() / 1000);
    const sig = this.mac(taskId, side, exp);
    return { url: `/rater/preview/${taskId}/${side}?exp=${exp}&sig=${sig}`, expiresAt: new Date(exp * 1000) };
  }

  /** True when `sig` was made by sign() for this task and side and `exp` (unix s) is still ahead. */
  verify(taskId: string, side: string, exp: string, sig: string, now: Date): boolean {
    if (!this.key || (side !== 'A' && side !== 'B') || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig))
      return false;
    if (Number(exp) * 1000 <= now.getTime()) return false;
    return timingSafeEqual(Buffer.from(this.mac(taskId, side, Number(exp))), Buffer.from(sig));
  }

  private mac(taskId: string, side: Side, exp: number): string {
    if (!this.key) throw failedPrecondition('Rater previews are not served by this process');
    return createHmac('sha256', this.key).update(`${taskId}\n${side}\n${exp}`).digest('base64url');
  }
}
