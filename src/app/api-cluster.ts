import cluster, { type Worker } from 'node:cluster';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import type { Logger } from '../common/logger';
import type { AppConfig } from '../config/config';
import { serveClusterMetrics } from '../metrics/cluster-metrics';

/** A process that dies after it served is replaced, unless this many died within RESTART_WINDOW_MS. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * API_PROCESSES > 1: this process (the primary) serves nothing itself. It forks that many copies of
 * the API (node:cluster), which share the port: one Node process runs GraphQL on one core, and a
 * host with more cores serves more (docs/BENCHMARKS.md, "Over HTTP"). The primary:
 * - starts one process first and the rest once it listens, so that migrations, the model's
 *   registration and a generated JWT secret happen once, not in a race;
 * - holds what the processes share: the rate limits' counters (RateLimiterClusterMaster) and the
 *   host's /metrics (cluster-metrics.ts); each process keeps its own suggestBgm response cache,
 *   which is safe because a kept answer is checked against the database on every use;
 * - replaces a process that dies after it served (its in-flight requests fail; the rest go on),
 *   and exits 1 when one dies before it served (a bad config, a database that refuses it) or when
 *   they keep dying, so that the orchestrator restarts the host;
 * - on SIGTERM/SIGINT passes SIGTERM on, so each process drains as a lone API does, and exits 0
 *   when all stopped cleanly within SHUTDOWN_TIMEOUT_MS (plus a second), else 1.
 */
export function runApiCluster(config: AppConfig, logger: Logger, processEntry: string): void {
  new RateLimiterClusterMaster();
  serveClusterMetrics();
  cluster.setupPrimary({ exec: processEntry });

  const served = new WeakSet<Worker>();
  const restarts: number[] = [];
  let stopping = false;
  let failed = false;
  let firstListened = false;
  const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  const fork = (): void => {
    const worker = cluster.fork();
    worker.once('listening', () => {
      served.add(worker);
      logger.info({ process: worker.id, pid: worker.process.pid }, 'API process listening');
      if (firstListened || stopping) return;
      // The first one has migrated the database and registered the model: the rest may start.
      firstListened = true;
      for (let i = 1; i < config.apiProcesses; i++) fork();
    });
  };

  const exitIfStopped = () => {
    if (!stopping || live().length > 0) return;
    logger.info('stopped');
    process.exit(failed ? 1 : 0);
  };

  const stopAll = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ why }, 'stopping the API processes');
    for (const w of live()) w.process.kill('SIGTERM');
    const force = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'API processes did not stop in time; killing them');
      for (const w of live()) w.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs + 1000);
    force.unref();
    exitIfStopped();
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) failed = true;
      exitIfStopped();
      return;
    }
    if (!served.has(worker)) {
      logger.error({ process: worker.id, code, signal }, 'an API process exited before it listened');
      failed = true;
      stopAll('start failed');
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      logger.error({ restarts: restarts.length, windowMs: RESTART_WINDOW_MS }, 'API processes keep exiting');
      failed = true;
      stopAll('too many restarts');
      return;
    }
    logger.error({ process: worker.id, code, signal }, 'an API process exited; starting another');
    fork();
  });

  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGINT'));
  logger.info({ processes: config.apiProcesses }, 'starting the API processes');
  fork();
}
