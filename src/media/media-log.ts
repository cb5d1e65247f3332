import { createLogger, type Logger } from '../common/logger';

let logger: Logger | undefined;

/**
 * The media layer's own logger, for the few events an operator must see whatever called it (a file
 * read by the fallback decoder). Same format and level variable as the app's logger.
 */
export function mediaLogger(): Logger {
  logger ??= createLogger(process.env.LOG_LEVEL ?? 'info', { component: 'media' });
  return logger;
}
