import { webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { unauthenticated } from '../common/errors';
import { ROLES, type Principal, type Role } from './principal';

export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
}

const MAX_TOKEN_LENGTH = 4096;
/** Tokens whose verification is remembered (an app sends the same token with every request). */
const VERIFIED_TOKENS = 10_000;

/** HS256 bearer tokens with `sub`, `exp` and a `roles` claim. */
export class JwtAuthenticator {
  /**
   * Imported once: given raw bytes, jose imports a WebCrypto key on every call, which was half
   * the cost of a verification (about 0.1 ms of each request's CPU, bench:http profile).
   */
  private readonly key: Promise<webcrypto.CryptoKey>;
  /**
   * Principals of tokens already verified, by the exact token text, until the token's exp (the
   * entry's ttl): the signature and claims of the same bytes verify the same way until then, and a
   * verification was about 6 % of a cached suggestBgm's CPU (bench:http profile). Failures are not kept.
   */
  private readonly verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKENS });

  constructor(private readonly settings: JwtSettings) {
    this.key = webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(settings.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
  }

  /** Returns the principal for an Authorization header value; undefined when there is none. */
  async authenticate(header: string | undefined): Promise<Principal | undefined> {
    if (!header) return undefined;
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header.trim());
    if (!match || header.length > MAX_TOKEN_LENGTH)
      throw unauthenticated('Malformed Authorization header; expected "Bearer <jwt>"');
    const token = match[1]!;
    const known = this.verified.get(token);
    if (known) return known;
    const { principal, expiresAtMs } = await this.verify(token);
    this.verified.set(token, principal, { ttl: Math.max(1, expiresAtMs - Date.now()) });
    return principal;
  }

  private async verify(token: string): Promise<{ principal: Principal; expiresAtMs: number }> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ['HS256'],
        // A token without exp would be valid for ever once leaked; every token sign() issues has one.
        requiredClaims: ['exp'],
      });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
      if (!payload.sub || roles.length === 0) throw unauthenticated('Token has no subject or no known role');
      // `system:` ids belong to the service's own actors (the demo loader, deletions awaiting the
      // media store): no caller may act as one, e.g. hold their uploads.
      if (payload.sub.startsWith('system:')) throw unauthenticated('Token subject uses the reserved prefix system:');
      // A token not yet valid (nbf) is refused by jwtVerify and so never kept.
      return { principal: { id: payload.sub, roles }, expiresAtMs: payload.exp! * 1000 };
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw unauthenticated('Token expired');
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'exp' && err.reason === 'missing')
        throw unauthenticated('Token has no expiry (exp)');
      if (err instanceof errors.JOSEError) throw unauthenticated('Invalid token');
      throw err;
    }
  }

  async sign(sub: string, roles: Role[], expiresIn: string | number = '12h'): Promise<string> {
    return new SignJWT({ roles })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(await this.key);
  }
}

function isRole(r: unknown): r is Role {
  return typeof r === 'string' && (ROLES as readonly string[]).includes(r);
}
