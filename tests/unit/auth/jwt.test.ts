import { SignJWT } from 'jose';
import { JwtAuthenticator } from '../../../src/auth/jwt';
import { ErrorCode } from '../../../src/common/errors';

const settings = { secret: 'x'.repeat(40), issuer: 'bgm-backend', audience: 'bgm-api' };
const auth = new JwtAuthenticator(settings);

describe('JwtAuthenticator', () => {
  it('turns a valid bearer token into a principal with its known roles', async () => {
    const token = await auth.sign('alice', ['admin']);
    expect(await auth.authenticate(`Bearer ${token}`)).toEqual({ id: 'alice', roles: ['admin'] });
    expect(await auth.authenticate(undefined)).toBeUndefined();
  });

  it.each([
    ['a malformed header', 'Token abc'],
    ['a token signed with another secret', 'other'],
    ['an expired token', 'expired'],
    ['a token for another audience', 'audience'],
    ['a token without a known role', 'noroles'],
    ['a token without an expiry (exp)', 'noexp'],
  ])('refuses %s with UNAUTHENTICATED', async (_name, kind) => {
    const key = new TextEncoder().encode(kind === 'other' ? 'y'.repeat(40) : settings.secret);
    const build = (roles: unknown[], aud = settings.audience, exp: number | string = '1h') => {
      const jwt = new SignJWT({ roles })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('bob')
        .setIssuer(settings.issuer)
        .setAudience(aud)
        .setIssuedAt();
      // A token that never expires: valid for ever once leaked.
      return (kind === 'noexp' ? jwt : jwt.setExpirationTime(exp)).sign(key);
    };
    const header =
      kind === 'Token abc'
        ? kind
        : `Bearer ${await build(kind === 'noroles' ? ['root'] : ['app'], kind === 'audience' ? 'other' : settings.audience, kind === 'expired' ? Math.floor(Date.now() / 1000) - 60 : '1h')}`;
    await expect(auth.authenticate(header)).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
  });

  it('refuses subjects in the reserved system: namespace (the service’s own actors)', async () => {
    const token = await auth.sign('system:pending-deletion', ['app']);
    await expect(auth.authenticate(`Bearer ${token}`)).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
      message: 'Token subject uses the reserved prefix system:',
    });
  });

  it('names a missing expiry, and signs every token it issues with one', async () => {
    const key = new TextEncoder().encode(settings.secret);
    const forever = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .sign(key);
    await expect(auth.authenticate(`Bearer ${forever}`)).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
      message: 'Token has no expiry (exp)',
    });
    const issued = await auth.sign('alice', ['app']);
    const claims = JSON.parse(Buffer.from(issued.split('.')[1]!, 'base64url').toString()) as { exp?: number };
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it('remembers a verified token only until it expires, and never a refused one', async () => {
    const fresh = new JwtAuthenticator(settings);
    const token = await fresh.sign('carol', ['app'], '2s');
    expect(await fresh.authenticate(`Bearer ${token}`)).toEqual({ id: 'carol', roles: ['app'] });
    expect(await fresh.authenticate(`Bearer ${token}`)).toEqual({ id: 'carol', roles: ['app'] });
    // exp has a resolution of one second: past it by a margin, the remembered answer must be gone.
    await new Promise((r) => setTimeout(r, 2100));
    await expect(fresh.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ message: 'Token expired' });
    // The same bytes with a changed signature are verified afresh, not matched to the kept entry.
    const other = await fresh.sign('carol', ['app']);
    expect(await fresh.authenticate(`Bearer ${other}`)).toEqual({ id: 'carol', roles: ['app'] });
    const forged = `${other.slice(0, -2)}${other.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(fresh.authenticate(`Bearer ${forged}`)).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
  });
});
