import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../../src/app/start-app';
import { copyDebianMusic } from '../helpers/debian-music';
import { describeMode, TestEnv } from './harness';
import { ingest, modelDir, settledTracks, waitFor } from './pipeline-helpers';

const WORKER = path.resolve(__dirname, '../../dist/src/bin/worker.js');

/** A real worker process (`npm run worker`'s entry), configured like the API of `env`. */
async function spawnWorker(env: TestEnv, log: string[]): Promise<ChildProcess> {
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} missing: run \`npm run build\` first (scripts/test.sh does)`);
  const config = await env.config();
  if (config.database.kind !== 'postgres' || config.queue.kind !== 'nats') throw new Error('services mode only');
  const child = spawn(process.execPath, [WORKER], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATA_DIR: env.dataDir,
      DATABASE_URL: config.database.url,
      NATS_URL: config.queue.servers.join(','),
      NATS_STREAM: config.queue.stream,
      NATS_SUBJECT_PREFIX: config.queue.subjectPrefix,
      MODEL_DIR: modelDir(),
      WORKER_CONCURRENCY: '1',
      WORKER_ACK_WAIT_MS: '3000',
      ...(await env.mediaStoreEnv()),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (b: Buffer) => log.push(b.toString()));
  child.stderr.on('data', (b: Buffer) => log.push(b.toString()));
  return child;
}

/** An API (no job handlers) on real Postgres + NATS, and real worker processes the test spawns and kills. */
interface WorkerSuite {
  api: () => App;
  env: TestEnv;
  spawn: () => Promise<ChildProcess>;
}

function workerSuite(name: string, apiOverrides: Record<string, string>, body: (suite: WorkerSuite) => void): void {
  describe(name, () => {
    const run = modelDir() ? describeMode : (m: 'postgres+nats', fn: () => void) => describe.skip(`[${m}]`, fn);
    run('postgres+nats', () => {
      const env = new TestEnv('postgres+nats');
      let api: App | undefined;
      const children: ChildProcess[] = [];
      const log: string[] = [];

      beforeAll(async () => {
        api = await env.start({ MODEL_DIR: modelDir()!, RUN_JOBS: 'false', ...apiOverrides });
      });
      afterAll(async () => {
        for (const c of children) c.kill('SIGKILL');
        await api?.stop();
        await env.cleanup();
      });
      body({
        api: () => api!,
        env,
        spawn: async () => {
          const child = await spawnWorker(env, log);
          children.push(child);
          return child;
        },
      });
    });
  });
}

/** Polls until the stream has no message left: every one was acknowledged or terminated. */
async function drained(api: App): Promise<void> {
  const pending = async () => Object.values(await api.queue.pendingByTopic()).reduce((a, b) => a + b, 0);
  await waitFor(async () => ((await pending()) === 0 ? true : undefined), 'the stream to drain', 15_000);
}

workerSuite('worker crash', {}, ({ api, env, spawn }) => {
  it('completes a job exactly once after its worker is SIGKILLed mid-job and another takes over', async () => {
    const names = copyDebianMusic(env.mediaRoot, 3);
    const ids = await ingest(
      api(),
      names.map((n) => ({ mediaUri: n, title: n })),
    );
    await api().relay.flush();

    const first = await spawn();
    const victim = await waitFor(
      async () => (await api().db.prisma.job.findFirst({ where: { status: 'PROCESSING' } })) ?? undefined,
      'a job to start',
      60_000,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const stillThere = await api().db.prisma.job.findUniqueOrThrow({ where: { id: victim.id } });
    expect(stillThere.status).toBe('PROCESSING'); // killed mid-job: nothing recorded it as done

    await spawn();
    const tracks = await settledTracks(api(), ids);
    expect(tracks.map((t) => t.status)).toEqual(['READY', 'READY', 'READY']);

    const jobs = await api().db.prisma.job.findMany();
    expect(jobs).toHaveLength(3); // no job duplicated
    expect(jobs.every((j) => j.status === 'SUCCEEDED')).toBe(true);
    expect(jobs.find((j) => j.id === victim.id)!.attempts).toBe(2); // the killed attempt, then one more
    const model = (await api().repos.models.findActive())!;
    expect(await api().db.prisma.trackEmbedding.count({ where: { modelVersionId: model.id } })).toBe(3);
    for (const t of tracks) {
      const windows = await api().db.prisma.trackSegmentEmbedding.findMany({ where: { trackId: t.id } });
      expect(new Set(windows.map((w) => w.windowIndex)).size).toBe(windows.length);
    }
    await drained(api());
  });
});

workerSuite('poisoned job', { JOB_MAX_ATTEMPTS: '2' }, ({ api, env, spawn }) => {
  const killWhenProcessing = async (jobId: string | undefined, attempts: number) => {
    const worker = await spawn();
    const job = await waitFor(
      async () =>
        (await api().db.prisma.job.findFirst({
          where: { status: 'PROCESSING', attempts, ...(jobId ? { id: jobId } : {}) },
        })) ?? undefined,
      `a job to start attempt ${attempts}`,
      60_000,
    );
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    return job;
  };

  it('fails a job whose worker dies on every attempt, with its track, and the other work still completes', async () => {
    const names = copyDebianMusic(env.mediaRoot, 2);
    const ids = await ingest(
      api(),
      names.map((n) => ({ mediaUri: n, title: n })),
    );
    await api().relay.flush();

    // The "poison": every worker that takes this job dies during it (here: SIGKILL, as an OOM kill would).
    const victim = await killWhenProcessing(undefined, 1);
    await killWhenProcessing(victim.id, 2);
    expect((await api().db.prisma.job.findUniqueOrThrow({ where: { id: victim.id } })).status).toBe('PROCESSING');

    // The next worker gets the message once more; the budget (2) is spent, so the job fails without running.
    await spawn();
    const tracks = await settledTracks(api(), ids);
    const poisoned = tracks.find((t) => t.id === (victim.payload as { trackId: string }).trackId)!;
    expect(poisoned.status).toBe('FAILED');
    expect(poisoned.error).toMatch(/gave up after 2 attempts: the last ended without an outcome/);
    expect(tracks.filter((t) => t !== poisoned).map((t) => t.status)).toEqual(['READY']);
    // Giving up writes the track's failure first and the job's second (job-runner.ts giveUp; a
    // worker lost between the two leaves a job the reconciler fails later), so the job row can
    // still read PROCESSING for a moment after the track settled (1 clean-clone CI run).
    await waitFor(
      async () =>
        (await api().db.prisma.job.findUniqueOrThrow({ where: { id: victim.id } })).status === 'PROCESSING'
          ? undefined
          : true,
      'the poisoned job to leave PROCESSING',
      30_000,
    );
    const jobs = await api().db.prisma.job.findMany({ orderBy: { createdAt: 'asc' } });
    expect(jobs).toHaveLength(2);
    expect(jobs.find((j) => j.id === victim.id)).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(jobs.find((j) => j.id !== victim.id)).toMatchObject({ status: 'SUCCEEDED' });
    // The poisoned message was terminated, not left to expire.
    await drained(api());
  });
});
