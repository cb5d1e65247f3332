import type { App } from '../../src/app/start-app';
import { pruneFinishedJobs } from '../../src/jobs/retention-sweep';
import { describeMode, MODES, useApp } from './harness';

const DAY = 24 * 60 * 60_000;

describe.each(MODES)('job retention', (mode) => {
  describeMode(mode, () => {
    const use = useApp(mode, { RUN_JOBS: 'false', DEMO_CATALOG: 'false' });
    let app: App;
    beforeEach(() => {
      app = use();
    });

    const job = async (status: 'SUCCEEDED' | 'FAILED' | 'PENDING', finishedDaysAgo: number | null) => {
      const j = await app.uow.run(({ jobs }) => jobs.enqueue('EMBED_TRACK', { trackId: 'x' }));
      const finishedAt = finishedDaysAgo === null ? null : new Date(Date.now() - finishedDaysAgo * DAY);
      await app.db.prisma.job.update({ where: { id: j.id }, data: { status, finishedAt } });
      return j.id;
    };
    const outboxOf = (id: string) =>
      app.db.prisma.outboxMessage.count({ where: { msgId: { startsWith: `job:${id}:` } } });

    it('deletes old SUCCEEDED jobs with their outbox rows, and keeps failed, recent and unfinished ones', async () => {
      const oldDone = await job('SUCCEEDED', 40);
      const oldFailed = await job('FAILED', 40);
      const recentDone = await job('SUCCEEDED', 1);
      const pending = await job('PENDING', null);
      expect(await outboxOf(oldDone)).toBe(1);

      expect(await pruneFinishedJobs(app.repos.jobs, 30)).toBe(1);
      const left = (await app.db.prisma.job.findMany({ select: { id: true } })).map((j) => j.id).sort();
      expect(left).toEqual([oldFailed, recentDone, pending].sort());
      expect(await outboxOf(oldDone)).toBe(0);
      for (const id of [oldFailed, recentDone, pending]) expect(await outboxOf(id)).toBe(1);
      expect(await pruneFinishedJobs(app.repos.jobs, 30)).toBe(0);

      // A kept failed job can still be retried: its next message gets a fresh msgId.
      expect(await app.repos.jobs.requeue(oldFailed)).not.toBeNull();
      expect(
        await app.db.prisma.outboxMessage.findMany({
          where: { msgId: { startsWith: `job:${oldFailed}:` } },
          select: { msgId: true },
          orderBy: { id: 'asc' },
        }),
      ).toEqual([{ msgId: `job:${oldFailed}:0` }, { msgId: `job:${oldFailed}:1` }]);
    });

    it('deletes in bounded batches, oldest first', async () => {
      const ids = [];
      for (let i = 0; i < 7; i++) ids.push(await job('SUCCEEDED', 100 - i));
      const cutoff = new Date(Date.now() - 30 * DAY);
      expect(await app.repos.jobs.pruneSucceeded(cutoff, 3)).toBe(3);
      const left = new Set(
        (await app.db.prisma.job.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((j) => j.id),
      );
      expect(ids.map((id) => left.has(id))).toEqual([false, false, false, true, true, true, true]);
      expect(await app.repos.jobs.pruneSucceeded(cutoff, 3)).toBe(3);
      expect(await app.repos.jobs.pruneSucceeded(cutoff, 3)).toBe(1);
    });
  });
});
