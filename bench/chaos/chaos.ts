/**
 * npm run chaos [-- --tracks N --videos N --workers N --kills N --pg-outage S --nats-outage S --model DIR]
 * (or CHAOS_TRACKS, CHAOS_VIDEOS, CHAOS_WORKERS, CHAOS_KILLS, CHAOS_PG_OUTAGE_S, CHAOS_NATS_OUTAGE_S)
 *
 * Fault tolerance on the machine's Postgres (127.0.0.1:5432, a fresh database dropped at the end)
 * and NATS (127.0.0.1:4222, its own stream), each reached through a loopback TCP proxy this program
 * starts: ingests tracks and videos while it SIGKILLs workers, cuts Postgres and then NATS, and
 * restores them; prints jobs lost, duplicated and stranded, duplicate embeddings and the time to
 * ready after each fault. Exits 1 when any of those counts is not 0. Needs `npm run build` (the
 * script runs it) for the worker processes.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { benchModelDir } from '../bench-utils';
import { builtWorker, formatReport, problems, runChaos } from './chaos-run';

const env = process.env;
const { values } = parseArgs({
  options: {
    tracks: { type: 'string', default: env.CHAOS_TRACKS ?? '200' },
    videos: { type: 'string', default: env.CHAOS_VIDEOS ?? '100' },
    workers: { type: 'string', default: env.CHAOS_WORKERS ?? '2' },
    kills: { type: 'string', default: env.CHAOS_KILLS ?? '2' },
    'pg-outage': { type: 'string', default: env.CHAOS_PG_OUTAGE_S ?? '60' },
    'nats-outage': { type: 'string', default: env.CHAOS_NATS_OUTAGE_S ?? '30' },
    'settle-timeout': { type: 'string', default: env.CHAOS_SETTLE_TIMEOUT_S ?? '600' },
    model: { type: 'string' },
  },
});

/** A bounded non-negative integer option, or exit with the reason. */
function bounded(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    process.stderr.write(`--${name}: expected an integer from 0 to ${max}, got ${raw}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const report = await runChaos({
    tracks: bounded('tracks', values.tracks, 2000),
    videos: bounded('videos', values.videos, 1000),
    workers: Math.max(1, bounded('workers', values.workers, 8)),
    kills: bounded('kills', values.kills, 20),
    pgOutageS: bounded('pg-outage', values['pg-outage'], 600),
    natsOutageS: bounded('nats-outage', values['nats-outage'], 600),
    settleTimeoutS: bounded('settle-timeout', values['settle-timeout'], 3600),
    modelDir: benchModelDir(values.model),
    postgresUrl: env.CHAOS_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    natsUrl: env.CHAOS_NATS_URL ?? 'nats://127.0.0.1:4222',
    workerJs: builtWorker(),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatReport(report)}\n`);
  process.exit(problems(report) === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos run failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});
