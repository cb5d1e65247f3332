import { PreviewLinks } from '../../../../src/modules/experiment/preview-links';

const now = new Date('2026-11-25T12:00:00Z');
const later = new Date(now.getTime() + 10 * 60_000);

function parts(url: string) {
  const u = new URL(url, 'http://host');
  return { exp: u.searchParams.get('exp')!, sig: u.searchParams.get('sig')! };
}

describe('PreviewLinks', () => {
  const links = new PreviewLinks('s'.repeat(40));

  it('accepts its own signature until the expiry', () => {
    const { url, expiresAt } = links.sign('task-1', 'A', later);
    expect(expiresAt).toEqual(later);
    const { exp, sig } = parts(url);
    expect(links.verify('task-1', 'A', exp, sig, now)).toBe(true);
    expect(links.verify('task-1', 'A', exp, sig, new Date(later.getTime() + 1000))).toBe(false);
  });

  it('rejects another task, side, expiry, a tampered signature or another secret', () => {
    const { exp, sig } = parts(links.sign('task-1', 'A', later).url);
    expect(links.verify('task-2', 'A', exp, sig, now)).toBe(false);
    expect(links.verify('task-1', 'B', exp, sig, now)).toBe(false);
    expect(links.verify('task-1', 'A', String(Number(exp) + 60), sig, now)).toBe(false);
    expect(links.verify('task-1', 'A', exp, `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`, now)).toBe(false);
    expect(links.verify('task-1', 'A', exp, '', now)).toBe(false);
    expect(links.verify('task-1', 'C', exp, sig, now)).toBe(false);
    expect(new PreviewLinks('t'.repeat(40)).verify('task-1', 'A', exp, sig, now)).toBe(false);
  });

  it('refuses everything before it has a key', () => {
    const unset = new PreviewLinks();
    expect(unset.ready).toBe(false);
    const { exp, sig } = parts(links.sign('task-1', 'A', later).url);
    expect(unset.verify('task-1', 'A', exp, sig, now)).toBe(false);
    expect(() => unset.sign('task-1', 'A', later)).toThrow(/not served/);
  });
});
