import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestEnv } from './harness';

const BIN = path.resolve(__dirname, '../../dist/src/bin');

/** A JSON log line of the process (the fields the tests read). */
export interface LogLine {
  msg?: string;
  level?: number;
  url?: string;
  pid?: number;
  /** Which process of an API cluster wrote it (run-until-signal.ts). */
  process?: number;
}

export interface Running {
  child: ChildProcess;
  /** Every JSON line written so far, stdout and stderr. */
  lines: () => LogLine[];
}

/**
 * A built entry point (`npm start` / `npm run worker`) in its own environment, as an operator runs
 * it: any free port, the test env's data folder and, in services mode, its Postgres, NATS stream
 * and media store; `extra` last.
 */
export async function startEntry(
  entry: 'api' | 'worker',
  env: TestEnv,
  extra: Record<string, string>,
): Promise<Running> {
  const file = path.join(BIN, `${entry}.js`);
  if (!fs.existsSync(file)) throw new Error(`${file} missing: run \`npm run build\` first (scripts/test.sh does)`);
  const services: Record<string, string> = {};
  if (env.mode === 'postgres+nats') {
    const config = await env.config();
    if (config.database.kind !== 'postgres' || config.queue.kind !== 'nats') throw new Error('services mode only');
    services.DATABASE_URL = config.database.url;
    services.NATS_URL = config.queue.servers.join(',');
    services.NATS_STREAM = config.queue.stream;
    services.NATS_SUBJECT_PREFIX = config.queue.subjectPrefix;
    Object.assign(services, await env.mediaStoreEnv());
  }
  const child = spawn(process.execPath, [file], {
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      LOG_LEVEL: 'info',
      DATA_DIR: env.dataDir,
      DEMO_CATALOG: 'false',
      ...services,
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  return { child, lines };
}
