import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/config';

describe('loadConfig', () => {
  it('defaults to the embedded seams under the data folder', () => {
    const c = loadConfig({ DATA_DIR: '/tmp/bgm' });
    expect(c.database).toEqual({ kind: 'pglite', dir: path.join('/tmp/bgm', 'pglite'), hnswEfSearch: undefined });
    expect(c.queue).toEqual({ kind: 'in-process' });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(c.limits.maxPageSize).toBe(100);
  });

  it('uses Postgres and NATS when their URLs are given', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://u@db:5432/bgm', NATS_URL: 'nats://a:4222,nats://b:4222' });
    expect(c.database).toMatchObject({ kind: 'postgres', url: 'postgresql://u@db:5432/bgm' });
    expect(c.queue).toMatchObject({ kind: 'nats', servers: ['nats://a:4222', 'nats://b:4222'], stream: 'BGM_JOBS' });
  });

  it('lists every bad variable at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        NATS_URL: 'http://x',
        JWT_SECRET: 'short',
        MAX_PAGE_SIZE: '0',
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const vars = error!.problems.map((p) => p.split(':')[0]);
    expect(vars.sort()).toEqual(['DATABASE_URL', 'JWT_SECRET', 'MAX_PAGE_SIZE', 'NATS_URL', 'PORT']);
    expect(error!.message).toMatch(/^Invalid configuration:\n {2}- /);
  });

  it('reads API_PROCESSES: one by default, auto as the cores, and more than one only where processes can share the seams', () => {
    const pg = { DATABASE_URL: 'postgresql://u@db:5432/bgm', NATS_URL: 'nats://a:4222' };
    expect(loadConfig({}).apiProcesses).toBe(1);
    expect(loadConfig({ ...pg, API_PROCESSES: '3' }).apiProcesses).toBe(3);
    expect(loadConfig({ ...pg, API_PROCESSES: 'auto' }).apiProcesses).toBe(Math.min(64, os.availableParallelism()));
    expect(loadConfig({ DATABASE_URL: pg.DATABASE_URL, RUN_JOBS: 'false', API_PROCESSES: '2' }).apiProcesses).toBe(2);
    for (const bad of ['0', '65', '-1', '1.5', 'two', ''])
      expect(() => loadConfig({ ...pg, API_PROCESSES: bad })).toThrow(/API_PROCESSES: 'auto' or a whole number/);
    expect(() => loadConfig({ NATS_URL: pg.NATS_URL, API_PROCESSES: '2' })).toThrow(
      /API_PROCESSES: .*needs DATABASE_URL/,
    );
    // The in-process queue (no NATS) would run each process's jobs from its own memory.
    expect(() => loadConfig({ DATABASE_URL: pg.DATABASE_URL, API_PROCESSES: '2' })).toThrow(
      /needs NATS_URL or RUN_JOBS=false/,
    );
  });

  it('refuses production without a JWT secret or a real database', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required[\s\S]*DATABASE_URL: required/);
  });

  it('reads the per-request bounds, the rate limits and the trusted proxies', () => {
    const c = loadConfig({});
    expect(c.limits).toMatchObject({ maxQueryTokens: 2000, maxQueryAliases: 15, maxQueryRootFields: 10 });
    expect(c.rateLimit).toEqual({
      windowSeconds: 60,
      perToken: 60,
      perIp: 300,
      fields: ['suggestBgm', 'similarTracks', 'ingestTracks', 'registerVideo'],
    });
    expect(c.trustProxy).toBeUndefined();
    expect(loadConfig({ RATE_LIMITED_FIELDS: ' suggestBgm , ', TRUST_PROXY: '2' })).toMatchObject({
      rateLimit: { fields: ['suggestBgm'] },
      trustProxy: 2,
    });
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::1' }).trustProxy).toBe(
      'loopback, 10.0.0.0/8, fd00::1',
    );
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(() => loadConfig({ TRUST_PROXY: 'my-ingress' })).toThrow(/TRUST_PROXY/);
  });
});
