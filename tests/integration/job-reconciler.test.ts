import type { App } from '../../src/app/start-app';
import { startApp } from '../../src/app/start-app';
import { createLogger } from '../../src/common/logger';
import { TcpProxy } from '../../bench/chaos/tcp-proxy';
import { MediaFixtures } from '../helpers/media-fixtures';
import { describeMode, gql, TestEnv, tokenFor } from './harness';
import { ingest, modelDir, waitFor } from './pipeline-helpers';
import { TEST_PG_URL } from './services-probe';

/** Short tones in the app's media root, distinct so that no two tracks embed alike. */
function tones(env: TestEnv, n: number): string[] {
  const media = new MediaFixtures(env.mediaRoot);
  return Array.from({ length: n }, (_, i) => {
    const name = `tone-${i}.wav`;
    media.generate(name, ['-f', 'lavfi', '-i', `sine=frequency=${220 + 55 * i}:duration=2`]);
    return name;
  });
}

/** An app whose database connection goes through a proxy the test can cut. */
async function startBehindProxy(env: TestEnv, overrides: Record<string, string>, role: 'api' | 'worker' = 'api') {
  const pg = new URL(TEST_PG_URL);
  const proxy = await TcpProxy.start({ host: pg.hostname, port: Number(pg.port || 5432) });
  const config = await env.config(overrides);
  if (config.database.kind !== 'postgres') throw new Error('services mode only');
  config.database = { ...config.database, url: proxy.rewrite(config.database.url) };
  const app = await startApp(config, createLogger(config.logLevel, { test: 'reconciler' }), role);
  return { app, proxy };
}

const run = modelDir() ? describeMode : (m: 'postgres+nats', fn: () => void) => describe.skip(`[${m}]`, fn);

describe('job reconciler', () => {
  run('postgres+nats', () => {
    describe('database outage longer than the delivery budget', () => {
      const env = new TestEnv('postgres+nats');
      let app: App | undefined;
      let proxy: TcpProxy | undefined;
      afterAll(async () => {
        proxy?.set('up');
        await app?.stop();
        await proxy?.close();
        await env.cleanup();
      });

      it('brings every job to a terminal state: none stranded PENDING/PROCESSING, none duplicated', async () => {
        ({ app, proxy } = await startBehindProxy(env, {
          MODEL_DIR: modelDir()!,
          RUN_JOBS: 'true',
          // A small budget, so that the outage below outlasts it: 3 deliveries, 2 attempts.
          WORKER_MAX_DELIVER: '3',
          JOB_MAX_ATTEMPTS: '2',
          WORKER_ACK_WAIT_MS: '2000',
          JOB_RETRY_BASE_MS: '200',
          WORKER_OUTAGE_RETRY_MS: '500',
          JOB_STALL_AFTER_MS: '3000',
          JOB_RECONCILE_INTERVAL_MS: '500',
          DATABASE_CONNECT_TIMEOUT_MS: '1000',
        }));
        const names = tones(env, 6);
        const ids = await ingest(
          app,
          names.map((n) => ({ mediaUri: n, title: n })),
        );
        await app.relay.flush();

        // The worker has the messages; the database goes away for longer than 3 deliveries at the
        // old fixed 5 s redelivery delay, so each message's delivery budget is spent during it.
        proxy.set('down');
        await new Promise((r) => setTimeout(r, 14_000));
        proxy.set('up');

        const a = app;
        const jobs = await waitFor(
          async () => {
            const rows = await a.db.prisma.job.findMany();
            return rows.every((j) => j.status === 'SUCCEEDED' || j.status === 'FAILED') ? rows : undefined;
          },
          'every job to finish after the outage',
          60_000,
        ).catch(async (err: Error) => {
          const left = await a.db.prisma.job.findMany({ where: { status: { in: ['PENDING', 'PROCESSING'] } } });
          throw new Error(`${err.message}: ${left.length} stranded (${left.map((j) => j.status).join(', ')})`);
        });
        expect(jobs).toHaveLength(ids.length); // no job duplicated

        const tracks = await a.db.prisma.track.findMany({ where: { id: { in: ids } } });
        expect(tracks.every((t) => t.status === 'READY' || t.status === 'FAILED')).toBe(true);
        const model = (await a.repos.models.findActive())!;
        const ready = tracks.filter((t) => t.status === 'READY');
        expect(await a.db.prisma.trackEmbedding.count({ where: { modelVersionId: model.id } })).toBe(ready.length);
        for (const t of ready) {
          const windows = await a.db.prisma.trackSegmentEmbedding.findMany({ where: { trackId: t.id } });
          expect(new Set(windows.map((w) => `${w.modelVersionId}:${w.windowIndex}`)).size).toBe(windows.length);
        }

        // A job that failed is one an admin sees and can retry.
        const admin = await tokenFor(a, 'admin');
        const listed = await gql(a, '{ failedJobs(first: 50) { edges { node { id lastError } } } }', {}, admin);
        const failedIds = jobs.filter((j) => j.status === 'FAILED').map((j) => j.id);
        expect(listed.data!.failedJobs.edges.map((e: any) => e.node.id).sort()).toEqual(failedIds.sort());

        // Nothing left behind in the stream: spent messages were terminated, not left to sit.
        await waitFor(
          async () => (Object.values(await a.queue.pendingByTopic()).every((n) => n === 0) ? true : undefined),
          'the stream to drain',
          15_000,
        );
      }, 150_000);
    });

    describe('a job whose deliveries keep getting lost', () => {
      const env = new TestEnv('postgres+nats');
      let app: App | undefined;
      let proxy: TcpProxy | undefined;
      afterAll(async () => {
        await app?.stop();
        await proxy?.close();
        await env.cleanup();
      });

      it('is reported by /readyz and /metrics, re-armed, then failed with a reason, listed and retryable', async () => {
        ({ app, proxy } = await startBehindProxy(env, {
          MODEL_DIR: modelDir()!,
          RUN_JOBS: 'true',
          JOB_MAX_ATTEMPTS: '2',
          WORKER_ACK_WAIT_MS: '1500',
          JOB_STALL_AFTER_MS: '2000',
          // Only the explicit reconcile() calls below act.
          JOB_RECONCILE_INTERVAL_MS: '3600000',
        }));
        const a = app;
        const [trackId] = await ingest(a, [{ mediaUri: tones(env, 1)[0]!, title: 't' }]);
        const jobDone = (status: 'SUCCEEDED' | 'FAILED') =>
          waitFor(async () => {
            const job = (await a.db.prisma.job.findFirst())!;
            return job.status === status ? job : undefined;
          }, `the job to be ${status}`);
        const job = await jobDone('SUCCEEDED');

        // Its message is lost while it runs (the worker died after NATS gave up on it): no delivery
        // will come again. An hour without progress.
        const strand = (rearms: number) => a.db.prisma.$executeRaw`
          UPDATE job SET status = 'PROCESSING', attempts = 1, rearms = ${rearms}, updated_at = now() - interval '1 hour'
          WHERE id = ${job.id}::uuid`;
        await strand(0);
        await a.db.prisma.track.update({ where: { id: trackId }, data: { status: 'PROCESSING' } });

        const ready = await fetch(`${a.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(((await ready.json()) as { checks: Record<string, string> }).checks.jobs).toMatch(/1 job.* stranded/);
        expect(await (await fetch(`${a.url}/metrics`)).text()).toMatch(/^bgm_jobs_stranded{[^}]*} 1$/m);

        // Within its budget: republished under a new message id (the first one is still in the
        // dedup window) and run again.
        expect(await a.jobs!.reconcile()).toEqual({ rearmed: 1, failed: 0 });
        await a.relay.flush();
        await jobDone('SUCCEEDED');
        expect((await a.db.prisma.outboxMessage.findMany()).map((o) => o.msgId).sort()).toEqual([
          `job:${job.id}:0`,
          `job:${job.id}:1`,
        ]);
        await waitFor(
          async () => ((await fetch(`${a.url}/readyz`)).status === 200 ? true : undefined),
          'ready',
          10_000,
        );

        // Budget spent (2 re-arms for 2 attempts): failed with the reason, its track too.
        await strand(2);
        expect(await a.jobs!.reconcile()).toEqual({ rearmed: 0, failed: 1 });
        const failed = await jobDone('FAILED');
        expect(failed.lastError).toMatch(/no progress for .* after 2 republishes/);
        expect((await a.db.prisma.track.findUniqueOrThrow({ where: { id: trackId } })).status).toBe('FAILED');
        await waitFor(
          async () =>
            /^bgm_jobs_stranded{[^}]*} 0$/m.test(await (await fetch(`${a.url}/metrics`)).text()) ? true : undefined,
          'the gauge to read 0',
          10_000,
        );

        const admin = await tokenFor(a, 'admin');
        const listed = await gql(a, '{ failedJobs(first: 5) { edges { node { id lastError } } } }', {}, admin);
        expect(listed.data!.failedJobs.edges.map((e: any) => e.node.id)).toEqual([job.id]);
        const retried = await gql(a, `mutation { retryJob(id: "${job.id}") { status attempts } }`, {}, admin);
        expect(retried.data!.retryJob).toEqual({ status: 'PENDING', attempts: 0 });
        await jobDone('SUCCEEDED');
        expect((await a.db.prisma.track.findUniqueOrThrow({ where: { id: trackId } })).status).toBe('READY');
      });
    });
  });
});
