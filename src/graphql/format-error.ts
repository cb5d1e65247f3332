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

/** Errors produced by GraphQL or Apollo themselves (parse, validation, coercion) carry a code. */
export function isExpected(error: unknown): boolean {
  if (error instanceof AppError || error instanceof ArgumentValidationError) return true;
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions.code;
  return typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR';
}
