import type { ChildProcess } from 'node:child_process';
import { type Running, startEntry } from './entry-process';
import { describeMode, TestEnv } from './harness';
import { waitFor } from './pipeline-helpers';

/**
 * API_PROCESSES=2 (api-cluster.ts) as an operator runs it: the built `npm start` entry on Postgres
 * and NATS. Both processes serve one port, share one rate-limit budget and one /metrics, a
 * process that dies is replaced, and SIGTERM stops them all with exit code 0.
 */
const SHUTDOWN_BUDGET_MS = 10_000;
const PER_IP = 5;

const start = (env: TestEnv, extra: Record<string, string>) =>
  startEntry('api', env, {
    NODE_ENV: 'production',
    JWT_SECRET: 'api-cluster-test-secret-0123456789abcdef',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_BUDGET_MS),
    ...extra,
  });

const listening = (p: Running) => p.lines().filter((l) => l.msg === 'API process listening');

const similarTracks = (url: string) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // A rate-limited field; the unknown track answers quickly with an error in a 200.
    body: JSON.stringify({
      query: '{ similarTracks(trackId: "00000000-0000-0000-0000-000000000000", first: 1) { rank } }',
    }),
  });

/** The host-wide count of GraphQL operations, as one /metrics scrape reports it. */
async function operationsCounted(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^bgm_graphql_request_duration_seconds_count\{[^}]*\} (\S+)$/gm)) n += Number(m[1]);
  return n;
}

describeMode('postgres+nats', () => {
  const env = new TestEnv('postgres+nats');
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await env.cleanup();
  });

  it('serves from two processes with one rate-limit budget and one /metrics, replaces a dead one, and stops cleanly', async () => {
    const api = await start(env, { API_PROCESSES: '2', RATE_LIMIT_PER_IP: String(PER_IP), RATE_LIMIT_PER_TOKEN: '0' });
    children.push(api.child);
    // The first process listens; the second starts only then. A scrape now asks both processes, and
    // the one still starting must answer too (it did not, and the scrape failed after 5 s).
    await waitFor(() => Promise.resolve(listening(api).length >= 1 || undefined), 'the first API process', 60_000);
    const url = api.lines().find((l) => l.msg === 'bgm-backend started')!.url!;
    // (Its own connection, closed after: the round-robin checks below count on fresh connections.)
    const early = await fetch(`${url}/metrics`, { headers: { connection: 'close' } });
    expect(early.status).toBe(200);
    await early.text();
    await waitFor(() => Promise.resolve(listening(api).length === 2 || undefined), 'two API processes', 60_000);
    const pids = new Set(listening(api).map((l) => l.pid));
    expect(pids.size).toBe(2);

    // Sent one after another, the cluster hands them to both processes in turn.
    const statuses: number[] = [];
    for (let i = 0; i < PER_IP + 3; i++) statuses.push((await similarTracks(url)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(PER_IP); // one budget for the host, not one each
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    const servedBy = new Set(
      api
        .lines()
        .filter((l) => l.msg === 'graphql operation')
        .map((l) => l.process),
    );
    expect(servedBy.size).toBe(2);

    // Each scrape reaches one process, and each reports the host's total.
    for (let i = 0; i < 4; i++) expect(await operationsCounted(url)).toBe(PER_IP + 3);

    // A process that dies is replaced; the port keeps answering.
    const victim = [...pids][0]!;
    process.kill(victim, 'SIGKILL');
    await waitFor(() => Promise.resolve(listening(api).length === 3 || undefined), 'a replacement process', 60_000);
    expect(api.lines().map((l) => l.msg)).toContain('an API process exited; starting another');
    for (let i = 0; i < 4; i++) expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const exit = new Promise<number | null>((resolve) => api.child.once('exit', (code) => resolve(code)));
    api.child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const live = listening(api)
      .map((l) => l.pid!)
      .filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
    expect(live).toEqual([]);
    expect(api.lines().filter((l) => l.msg === 'stopped')).toHaveLength(3); // two processes and the primary
  }, 120_000);

  it('exits 1 when a process cannot start, instead of restarting it forever', async () => {
    const config = await env.config();
    if (config.database.kind !== 'postgres') throw new Error('services mode only');
    const missing = new URL(config.database.url);
    missing.pathname = '/bgm_no_such_database';
    const api = await start(env, { API_PROCESSES: '2', DATABASE_URL: missing.toString() });
    children.push(api.child);
    const code = await new Promise<number | null>((resolve) => api.child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(api.lines().map((l) => l.msg)).toContain('an API process exited before it listened');
    expect(listening(api)).toEqual([]);
  }, 60_000);
});
