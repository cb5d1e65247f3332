import { createLogger } from '../../../src/common/logger';
import type { JobRecord } from '../../../src/db/prisma-types';
import { JobKind } from '../../../src/generated/prisma/enums';
import { PermanentJobError, type JobHandler } from '../../../src/jobs/job-handler';
import { JobRunner } from '../../../src/jobs/job-runner';
import type { Delivery } from '../../../src/jobs/queue/job-queue';
import { FakeJobs } from '../../helpers/fakes';

/** One handler per kind; the embed-track one runs `behaviour`, and every handler records failures. */
function setup(behaviour: () => Promise<void>) {
  const jobs = new FakeJobs();
  const failed: { jobId: string; reason: string }[] = [];
  const handlers: JobHandler[] = Object.values(JobKind).map((kind) => ({
    kind,
    run: kind === JobKind.EMBED_TRACK ? behaviour : () => Promise.resolve(),
    onFailed: (job: JobRecord, reason: string) => (failed.push({ jobId: job.id, reason }), Promise.resolve()),
  }));
  const runner = new JobRunner(handlers, jobs, createLogger('silent'), {
    heartbeatMs: 60_000,
    retryBaseMs: 100,
    retryMaxMs: 1000,
  });
  let deliveries = 0;
  const deliver = (jobId: string) =>
    runner.handle({
      topic: 't',
      data: { jobId },
      msgId: 'm',
      deliveryCount: ++deliveries,
      working: () => undefined,
    } satisfies Delivery);
  return { jobs, failed, deliver };
}

async function track(jobs: FakeJobs, maxAttempts = 3) {
  const job = await jobs.enqueue(JobKind.EMBED_TRACK, { trackId: 't1' });
  job.maxAttempts = maxAttempts;
  return job;
}

describe('JobRunner', () => {
  it('retries a transient fault within the attempt budget, then fails the job and its subject', async () => {
    const { jobs, failed, deliver } = setup(() => Promise.reject(new Error('disk busy')));
    const job = await track(jobs, 2);
    expect(await deliver(job.id)).toMatchObject({ type: 'retry', reason: 'disk busy' });
    expect(jobs.rows[0]).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'disk busy' });
    expect(await deliver(job.id)).toMatchObject({ type: 'term', reason: 'disk busy (gave up after 2 attempts)' });
    expect(jobs.rows[0]!.status).toBe('FAILED');
    expect(failed).toEqual([{ jobId: job.id, reason: 'disk busy (gave up after 2 attempts)' }]);
  });

  it('fails a permanent fault at once', async () => {
    const { jobs, failed, deliver } = setup(() => Promise.reject(new PermanentJobError('not audio')));
    const job = await track(jobs);
    expect(await deliver(job.id)).toEqual({ type: 'term', reason: 'not audio' });
    expect(jobs.rows[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(failed).toHaveLength(1);
  });

  it('fails a poisoned job, whose worker died on every attempt, on the next delivery instead of leaving it PROCESSING', async () => {
    let runs = 0;
    const { jobs, failed, deliver } = setup(() => (runs++, Promise.resolve()));
    const job = await track(jobs, 2);
    // Two deliveries started the job and never came back (the worker was killed): attempts 2, PROCESSING.
    await jobs.start(job.id);
    await jobs.start(job.id);
    expect(jobs.rows[0]).toMatchObject({ status: 'PROCESSING', attempts: 2 });
    const outcome = await deliver(job.id);
    expect(outcome).toMatchObject({ type: 'term' });
    expect(runs).toBe(0); // the poisoned work is not tried a third time
    expect(jobs.rows[0]!.status).toBe('FAILED');
    expect(jobs.rows[0]!.lastError).toMatch(/^gave up after 2 attempts: the last ended without an outcome/);
    expect(failed.map((f) => f.jobId)).toEqual([job.id]);
    // A later redelivery of the same message changes nothing.
    expect(await deliver(job.id)).toEqual({ type: 'ack' });
    expect(failed).toHaveLength(1);
  });

  it('still runs the last allowed attempt after earlier ones died', async () => {
    let runs = 0;
    const { jobs, deliver } = setup(() => (runs++, Promise.resolve()));
    const job = await track(jobs, 2);
    await jobs.start(job.id); // died
    expect(await deliver(job.id)).toEqual({ type: 'ack' });
    expect(runs).toBe(1);
    expect(jobs.rows[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });
});
