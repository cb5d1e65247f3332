import type { Logger } from './logger';

/**
 * Runs `task` every `intervalMs`, never two runs at once, without keeping the process alive; a
 * failure is logged and the next interval tries again. Returns a stop function that waits for a
 * run in progress.
 */
export function startPeriodic(
  what: string,
  task: () => Promise<void>,
  intervalMs: number,
  logger: Logger,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = task()
      .catch((err: unknown) => logger.warn({ err }, `${what} failed; next run in an interval`))
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
