import { Semaphore } from '../../../src/common/semaphore';

describe('Semaphore', () => {
  it('lets at most `permits` callers run at once, the rest in arrival order, and frees permits on failure', async () => {
    const sem = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const task = (i: number, fail = false) =>
      sem.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(i);
        await new Promise<void>((r) => releases.push(r));
        running -= 1;
        if (fail) throw new Error(`task ${i} failed`);
        return i;
      });
    // Settled as they finish, so the failure is observed rather than left unhandled.
    const all = [task(0, true), task(1), task(2), task(3)].map((p) =>
      p.then(
        () => 'fulfilled',
        () => 'rejected',
      ),
    );
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1]);
    expect(sem.queued).toBe(2);
    while (releases.length > 0 || order.length < 4) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    releases.forEach((r) => r());
    expect(await Promise.all(all)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
    expect(sem.queued).toBe(0);
    // All permits came back: two new callers start at once.
    let started = 0;
    const again = [sem.run(() => Promise.resolve(void started++)), sem.run(() => Promise.resolve(void started++))];
    await Promise.all(again);
    expect(started).toBe(2);
  });

  it('refuses a non-positive permit count', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
