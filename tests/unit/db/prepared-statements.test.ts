import { PreparedStatementNames } from '../../../src/db/prepared-statements';

describe('PreparedStatementNames', () => {
  it('names a text the same way every time, and different texts differently', () => {
    const names = new PreparedStatementNames();
    const a = names.nameFor('SELECT 1');
    expect(a).toMatch(/^s_[0-9a-f]{20}$/);
    expect(names.nameFor('SELECT 1')).toBe(a);
    expect(new PreparedStatementNames().nameFor('SELECT 1')).toBe(a);
    expect(names.nameFor('SELECT 2')).not.toBe(a);
  });

  it('prepares at most `max` texts; the rest run unnamed while the first keep their names', () => {
    const names = new PreparedStatementNames(2);
    const first = names.nameFor('SELECT 1');
    const second = names.nameFor('SELECT 2');
    expect(names.nameFor('SELECT 3')).toBeUndefined();
    expect([names.nameFor('SELECT 1'), names.nameFor('SELECT 2')]).toEqual([first, second]);
    expect(names.nameFor('SELECT 3')).toBeUndefined();
  });
});
