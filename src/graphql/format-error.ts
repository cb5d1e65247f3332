import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { AppError, ErrorCode } from '../common/errors';
import { isDatabaseUnavailable } from '../db/database-errors';

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/** The one place domain errors become GraphQL errors; anything unexpected is masked. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) {
    return { ...formatted, message: original.message, extensions: { ...original.details, code: original.code } };
  }
  if (original instanceof ArgumentValidationError) {
    return {
      ...formatted,
      message: 'Argument validation failed',
      extensions: {
        code: ErrorCode.BadUserInput,
        validation: original.extensions.validationErrors,
      },
    };
  }
  const bound = boundError(formatted, error);
  if (bound) return bound;
  if (isExpected(original)) return formatted;
  if (isDatabaseUnavailable(original)) {
    return {
      message: 'The database is unavailable; retry later',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.ServiceUnavailable },
    };
  }
  // Request-level errors (no path: parse, validation, variable coercion) come from GraphQL/Apollo
  // with their own code, e.g. BAD_USER_INPUT for a variable holding an unknown enum value.
  const code = formatted.extensions?.code;
  if (!formatted.path && typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  // graphql-js reports a variable failing coercion (an unknown enum value...) as a plain error,
  // which Apollo marks internal; it is the caller's input.
  if (
    !formatted.path &&
    error instanceof GraphQLError &&
    /^Variable "\$[^"]+" (got invalid value|of required type)/.test(error.message)
  ) {
    return { message: error.message, locations: formatted.locations, extensions: { code: ErrorCode.BadUserInput } };
  }
  return {
    message: INTERNAL_ERROR_MESSAGE,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/**
 * The size bounds answer QUERY_TOO_COMPLEX (graphql/query-limits.ts), but Apollo relabels what
 * validation rules report GRAPHQL_VALIDATION_FAILED, and graphql-js's own token limit is a parse
 * error (GRAPHQL_PARSE_FAILED): put the bound's code back on both.
 */
function boundError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const cause = error.originalError;
  if (cause instanceof GraphQLError && cause.extensions.code === ErrorCode.QueryTooComplex) {
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.QueryTooComplex } };
  }
  // graphql-js 16 words it "Document contains more that N tokens".
  const tokens =
    formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' &&
    /Document contains more th(?:an|at) (\d+) tokens/.exec(error.message);
  if (tokens) {
    return {
      message: `Document has more than ${tokens[1]} tokens`,
      extensions: { code: ErrorCode.QueryTooComplex, limit: 'tokens', max: Number(tokens[1]) },
    };
  }
  return undefined;
}

/** Errors produced by GraphQL or Apollo themselves (parse, validation, coercion) carry a code. */
export function isExpected(error: unknown): boolean {
  if (error instanceof AppError || error instanceof ArgumentValidationError) return true;
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions.code;
  return typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR';
}
