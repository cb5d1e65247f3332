import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * A JSON logger on stdout (or `fd`). Writes are synchronous: pino's default stdout stream writes
 * asynchronously, and at `process.exit` it flushes what is queued while a write still in flight
 * lands after it. A production worker's shutdown log then read "database closed", "stopped",
 * "queue closed" although the steps ran in order (tests/integration/shutdown.test.ts, 1 clean-clone
 * run in 3), and a line waiting on a full pipe could be lost. A log line costs a few microseconds
 * more; an operator reading how far a shutdown got needs every line, in order.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, fd = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'bgm-backend', ...base },
      redact: { paths: ['req.headers.authorization', '*.token', '*.password'], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: fd, sync: true }),
  );
}
