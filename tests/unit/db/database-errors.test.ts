import { isDatabaseUnavailable } from '../../../src/db/database-errors';

describe('isDatabaseUnavailable', () => {
  it('recognises timeouts and lost connections, also wrapped as Prisma wraps them', () => {
    expect(isDatabaseUnavailable(new Error('Query read timeout'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '57014' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('wrapped'), { code: 'P1017' }))).toBe(true);
    expect(
      isDatabaseUnavailable(new Error('outer', { cause: Object.assign(new Error('i'), { code: 'ECONNRESET' }) })),
    ).toBe(true);
  });

  it('leaves bugs and bad data alone', () => {
    expect(isDatabaseUnavailable(new Error('Unique constraint failed'))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
