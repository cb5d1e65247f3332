/**
 * Whether an error means the database could not be reached or did not answer in time (as opposed
 * to a bug or bad data): a connect or statement timeout, a connection refused or cut. The GraphQL
 * layer answers these with SERVICE_UNAVAILABLE, a code a client may retry on, instead of a masked
 * INTERNAL_SERVER_ERROR. Prisma wraps the driver's error, so the cause chain is searched.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof code === 'string' && code.startsWith('08')) return true; // SQLSTATE class 08: connection exception
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    e = cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}

const UNAVAILABLE_CODES = new Set([
  // SQLSTATE: statement timeout (query_canceled), idle-in-transaction timeout, server shutting down.
  '57014',
  '25P03',
  '57P01',
  '57P03',
  // Prisma: cannot reach the server, connection timed out, closed by the server, pool timeout,
  // interactive transaction could not start in time.
  'P1001',
  'P1002',
  'P1017',
  'P2024',
  'P2028',
  // Node sockets.
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);

const UNAVAILABLE_MESSAGE =
  /Query read timeout|timeout exceeded when trying to connect|Connection terminated|connection timeout|statement timeout|idle-in-transaction timeout|Can't reach database server|ECONNREFUSED|ECONNRESET|Unable to start a transaction in the given time|Transaction already closed/i;
