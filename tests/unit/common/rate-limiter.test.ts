import { addressKey, CallerRateLimiter } from '../../../src/common/rate-limiter';

describe('CallerRateLimiter', () => {
  it('keys IPv6 callers by their /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:ffff::9'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('10.0.0.7')).toBe('10.0.0.7');
  });

  it('spends a budget per token and per address; a call refused by its address costs its token nothing', async () => {
    const limiter = new CallerRateLimiter({ windowSeconds: 60, perToken: 2, perIp: 3 });
    expect(await limiter.consume({ token: 'a', ip: '10.0.0.1' })).toEqual({ allowed: true });
    expect(await limiter.consume({ token: 'a', ip: '10.0.0.2' })).toEqual({ allowed: true });
    expect(await limiter.consume({ token: 'a', ip: '10.0.0.3' })).toMatchObject({ allowed: false, scope: 'token' });
    expect(await limiter.consume({ token: 'b', ip: '10.0.0.1' }, 2)).toEqual({ allowed: true });
    // 10.0.0.1 has spent 3: token c is refused by the address and keeps both of its points.
    expect(await limiter.consume({ token: 'c', ip: '10.0.0.1' })).toMatchObject({ allowed: false, scope: 'ip' });
    expect(await limiter.consume({ token: 'c', ip: '10.0.0.9' }, 2)).toEqual({ allowed: true });
    // Many points at once (aliases of one expensive field) are refused as a whole.
    expect(await limiter.consume({ ip: '10.0.0.5' }, 4)).toMatchObject({ allowed: false, scope: 'ip' });
  });

  it('turns a limit off at 0', async () => {
    const limiter = new CallerRateLimiter({ windowSeconds: 60, perToken: 0, perIp: 0 });
    for (let i = 0; i < 100; i++)
      expect(await limiter.consume({ token: 'a', ip: '10.0.0.1' })).toEqual({ allowed: true });
  });
});
