import type { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { JwtAuthenticator } from '../../src/auth/jwt';
import { type Running, startEntry } from './entry-process';
import { describeMode, TestEnv } from './harness';
import { waitFor } from './pipeline-helpers';

/** The budget given to the process; a clean stop takes well under it, a hung one is force-exited at it (code 1). */
const SHUTDOWN_BUDGET_MS = 10_000;
const SECRET = 'shutdown-test-secret-0123456789abcdef';

const start = (entry: 'api' | 'worker', env: TestEnv, extra: Record<string, string>) =>
  startEntry(entry, env, { JWT_SECRET: SECRET, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_BUDGET_MS), ...extra });

/** Waits for the process to say it started and for /readyz to answer 200 (the app is fully up). */
async function ready(p: Running): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    p.child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before ready:\n${JSON.stringify(p.lines(), null, 1)}`)),
    ),
  );
  const url = await Promise.race([
    exited,
    waitFor(
      () => Promise.resolve(p.lines().find((l) => l.msg === 'bgm-backend started')?.url),
      'the process to start',
      60_000,
    ),
  ]);
  await Promise.race([
    exited,
    waitFor(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), '/readyz', 30_000),
  ]);
}

/** SIGTERM, then the exit code and how long the process took to exit. */
async function terminate(p: Running): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  const exit = new Promise<number | null>((resolve) => p.child.once('exit', (code) => resolve(code)));
  p.child.kill('SIGTERM');
  const code = await exit;
  return { code, ms: Date.now() - t0 };
}

function expectCleanStop(p: Running, result: { code: number | null; ms: number }, closed: string[]): void {
  const messages = p.lines().map((l) => l.msg);
  // The whole log on failure: which close never ran, or what failed.
  expect({ code: result.code, messages }).toEqual({ code: 0, messages: expect.arrayContaining(closed) });
  expect(result.ms).toBeLessThan(SHUTDOWN_BUDGET_MS);
  expect(messages).not.toContain('shutdown timed out; exiting');
  expect(p.lines().filter((l) => (l.level ?? 0) >= 50)).toEqual([]); // nothing logged at error level
  // Closed in order: nothing is served or consumed once the database is gone.
  const at = (m: string) => messages.indexOf(m);
  expect(at('http server stopped')).toBeLessThan(at('database closed'));
  expect(at('outbox relay stopped')).toBeLessThan(at('queue closed'));
  expect(at('queue closed')).toBeLessThan(at('database closed'));
  expect(messages[messages.length - 1]).toBe('stopped');
}

const API_CLOSES = ['http server stopped', 'outbox relay stopped', 'queue closed', 'database closed', 'stopped'];
const JOBS_CLOSES = ['job processing stopped'];

describe('SIGTERM', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  const run = async (entry: 'api' | 'worker', env: TestEnv, extra: Record<string, string>) => {
    const p = await start(entry, env, extra);
    children.push(p.child);
    await ready(p);
    return p;
  };

  describeMode('embedded', () => {
    const env = new TestEnv('embedded');
    afterAll(() => env.cleanup());

    // Production refuses the embedded database; development installs the same signal handlers.
    it('stops the API (with its in-process jobs) with exit code 0, relay, queue and database closed', async () => {
      const api = await run('api', env, { NODE_ENV: 'development' });
      expectCleanStop(api, await terminate(api), [...API_CLOSES, ...JOBS_CLOSES]);
    });
  });

  describeMode('postgres+nats', () => {
    const env = new TestEnv('postgres+nats');
    afterAll(() => env.cleanup());

    it('stops the production API with exit code 0, relay, queue and database closed', async () => {
      const api = await run('api', env, { NODE_ENV: 'production' });
      expectCleanStop(api, await terminate(api), API_CLOSES);
    });

    it('lets operations whose clients hung up finish before it closes the database', async () => {
      const api = await run('api', env, {
        NODE_ENV: 'production',
        RATE_LIMIT_PER_IP: '0',
        RATE_LIMIT_PER_TOKEN: '0',
        // One connection: the operations queue for it, so some are still waiting when the stop begins.
        DATABASE_POOL_SIZE: '1',
      });
      // A catalog that makes each search take a few milliseconds: 200 of them queue on the pool.
      const config = await env.config();
      if (config.database.kind !== 'postgres') throw new Error('services mode only');
      const db = new Client({ connectionString: config.database.url });
      await db.connect();
      await db.query(`INSERT INTO track (title, artist, media_uri, content_hash, status, updated_at)
        SELECT 'T' || i, 'A', 'media://t' || i, 'h' || i, 'READY', now() FROM generate_series(1, 20000) i`);
      await db.end();
      const url = api.lines().find((l) => l.msg === 'bgm-backend started')!.url!;
      const token = await new JwtAuthenticator({ secret: SECRET, issuer: 'bgm-backend', audience: 'bgm-api' }).sign(
        'admin-user',
        ['admin'],
      );
      // As a load generator leaves: many operations sent, every client gone before its answer, then SIGTERM.
      const clients = Array.from({ length: 200 }, () => new AbortController());
      const sent = clients.map((c) =>
        fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            query: '{ tracks(first: 100, filter: { search: "no such title" }) { edges { cursor } } }',
          }),
          signal: c.signal,
        }).catch(() => undefined),
      );
      await new Promise((r) => setTimeout(r, 30));
      for (const c of clients) c.abort();
      await Promise.all(sent);
      // No operation may meet a closed pool ("Cannot use a pool after calling end"): no error lines.
      expectCleanStop(api, await terminate(api), API_CLOSES);
    });

    it('stops the production worker with exit code 0, jobs, relay, queue and database closed', async () => {
      const worker = await run('worker', env, { NODE_ENV: 'production' });
      expectCleanStop(worker, await terminate(worker), [...API_CLOSES, ...JOBS_CLOSES]);
    });
  });
});
