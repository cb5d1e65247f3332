import { CodedError } from './coded-error';

/**
 * Domain errors. Services throw these; one translator (graphql/format-error.ts) turns the code
 * into a GraphQL error, so services never import GraphQL. Media errors are a family of their own
 * (see coded-error.ts for why).
 */
export enum ErrorCode {
  BadUserInput = 'BAD_USER_INPUT',
  NotFound = 'NOT_FOUND',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  Conflict = 'CONFLICT',
  /** The request is valid but the system is not in a state to answer it yet (e.g. video not READY). */
  FailedPrecondition = 'FAILED_PRECONDITION',
  /** The operation is larger than a per-request bound (tokens, depth, aliases, root fields, cost...); `limit` names it. */
  QueryTooComplex = 'QUERY_TOO_COMPLEX',
  /** Too many expensive calls in the window, per token or per client address; `retryAfter` is in seconds. */
  RateLimited = 'RATE_LIMITED',
  /** The caller holds as much as its quota allows (e.g. unregistered uploads); HTTP 429. */
  QuotaExceeded = 'QUOTA_EXCEEDED',
  /** A dependency (the database) did not answer in time or could not be reached; retrying later may work. */
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
}

export class AppError extends CodedError<ErrorCode> {
  override name = 'AppError';
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorCode.BadUserInput, message, details);
export const notFound = (what: string, id: string) =>
  new AppError(ErrorCode.NotFound, `${what} ${id} not found`, { id });
export const forbidden = (message = 'Not allowed') => new AppError(ErrorCode.Forbidden, message);
export const unauthenticated = (message = 'Authentication required') =>
  new AppError(ErrorCode.Unauthenticated, message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorCode.Conflict, message, details);
export const failedPrecondition = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorCode.FailedPrecondition, message, details);
export const quotaExceeded = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorCode.QuotaExceeded, message, details);
