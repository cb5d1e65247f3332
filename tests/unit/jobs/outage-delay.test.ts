import { outageDelayMs } from '../../../src/jobs/queue/job-queue';

describe('outageDelayMs', () => {
  it('doubles per delivery from the base and stops at a minute', () => {
    expect([1, 2, 3, 4].map((n) => outageDelayMs(5000, n))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(outageDelayMs(5000, 5)).toBe(60_000);
    expect(outageDelayMs(5000, 1000)).toBe(60_000);
  });
});
