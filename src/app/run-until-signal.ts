import cluster from 'node:cluster';
import { ConfigError, loadConfig, type AppConfig } from '../config/config';
import { createLogger, type Logger } from '../common/logger';

/** The config from the environment; on a problem, prints every one and exits 1. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * Process entry: validates the config (printing every problem), starts, and on SIGTERM/SIGINT
 * stops gracefully within SHUTDOWN_TIMEOUT_MS (exit 0), else exits non-zero. This is the only
 * signal handler: libraries that install their own (Apollo) are told not to.
 */
export function runUntilSignal(
  role: string,
  start: (config: AppConfig, logger: Logger) => Promise<{ stop(): Promise<void> }>,
  config: AppConfig = loadConfigOrExit(),
): void {
  // One logger for the process: its lines (the app's and the shutdown's) come out in order.
  // In an API cluster (api-cluster.ts) the processes' lines interleave: each says which it is.
  const logger = createLogger(config.logLevel, { role, ...(cluster.worker ? { process: cluster.worker.id } : {}) });
  const started = start(config, logger);
  let stopping = false;
  // Installed before the start finishes: a SIGTERM during a slow start (migrations, model
  // registration) waits for it and then stops cleanly instead of killing the process mid-way.
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    started
      .then((running) => running.stop())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  started.catch((err: unknown) => {
    process.stderr.write(`bgm-backend failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
