import type { App } from '../../src/app/start-app';
import { startApp } from '../../src/app/start-app';
import { createLogger } from '../../src/common/logger';
import { TcpProxy } from '../../bench/chaos/tcp-proxy';
import { codes, describeMode, gql, TestEnv, tokenFor } from './harness';
import { waitFor } from './pipeline-helpers';
import { TEST_PG_URL } from './services-probe';

/** Resolves with what `work` gave and how long it took, or with 'hung' after `ms`. */
async function timed<T>(work: Promise<T>, ms: number): Promise<{ value: T | 'hung'; ms: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const value = await Promise.race([
    work,
    new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms))),
  ]).finally(() => clearTimeout(timer));
  return { value, ms: Date.now() - started };
}

describe('database timeouts', () => {
  describeMode('postgres+nats', () => {
    const env = new TestEnv('postgres+nats');
    let app: App | undefined;
    let proxy: TcpProxy | undefined;
    beforeAll(async () => {
      const pg = new URL(TEST_PG_URL);
      proxy = await TcpProxy.start({ host: pg.hostname, port: Number(pg.port || 5432) });
      const config = await env.config({
        RUN_JOBS: 'false',
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        DATABASE_STATEMENT_TIMEOUT_MS: '1500',
      });
      if (config.database.kind !== 'postgres') throw new Error('services mode only');
      config.database = { ...config.database, url: proxy.rewrite(config.database.url) };
      app = await startApp(config, createLogger(config.logLevel, { test: 'db-timeouts' }));
    });
    afterAll(async () => {
      proxy?.set('up');
      await app?.stop();
      await proxy?.close();
      await env.cleanup();
    });

    it('answers /readyz 503 and GraphQL with a typed error within seconds while Postgres is silent', async () => {
      const a = app!;
      const token = await tokenFor(a, 'admin');
      const query = () => gql(a, '{ tracks(first: 1) { edges { node { id } } } }', {}, token);
      expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
      expect(codes(await query())).toEqual([]);

      // Connections are accepted and never answered: open ones go silent, new ones never greet.
      proxy!.set('blackhole');
      const ready = await timed(fetch(`${a.url}/readyz`), 20_000);
      expect(ready.value).not.toBe('hung');
      expect((ready.value as Response).status).toBe(503);
      expect(((await (ready.value as Response).json()) as { checks: { database: string } }).checks.database).not.toBe(
        'ok',
      );
      expect(ready.ms).toBeLessThan(6000);

      const answered = await timed(query(), 20_000);
      expect(answered.value).not.toBe('hung');
      expect(codes(answered.value as Awaited<ReturnType<typeof query>>)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(answered.ms).toBeLessThan(10_000);

      // Back: the pool replaces the connections the blackhole broke.
      proxy!.set('up');
      await waitFor(
        async () => ((await fetch(`${a.url}/readyz`)).status === 200 ? true : undefined),
        'ready again',
        20_000,
      );
      await waitFor(async () => (codes(await query()).length === 0 ? true : undefined), 'queries again', 20_000);
    }, 90_000);
  });
});
