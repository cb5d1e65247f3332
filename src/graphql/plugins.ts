import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { ErrorCode } from '../common/errors';
import type { RequestContext } from './context';
import { isExpected } from './format-error';

/** Refuses operations whose estimated cost (list sizes times children) exceeds the limit. */
export function costLimitPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin<RequestContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ request, document }) => {
          const cost = getComplexity({
            schema,
            operationName: request.operationName,
            query: document,
            variables: request.variables,
            estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
          });
          if (cost > maxCost) {
            throw new GraphQLError(`Query cost ${cost} exceeds the limit of ${maxCost}`, {
              extensions: { code: ErrorCode.BadUserInput, cost, maxCost, http: { status: 400 } },
            });
          }
          return Promise.resolve();
        },
      }),
  };
}

/** Logs each operation with the request id, and the real cause of every masked error. */
export function loggingPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    requestDidStart: ({ contextValue }) => {
      const started = process.hrtime.bigint();
      return Promise.resolve({
        didEncounterErrors: ({ errors }) => {
          for (const err of errors) {
            const cause = unwrapResolverError(err);
            // Only resolver errors (with a path) can be unexpected; request-level ones are the caller's.
            if (err.path && !isExpected(cause))
              contextValue.logger.error({ err: cause, path: err.path }, 'unexpected error (masked)');
          }
          return Promise.resolve();
        },
        willSendResponse: ({ operationName, response }) => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors?.length ?? 0) : 0;
          contextValue.logger.info({ operationName, ms: Math.round(ms * 10) / 10, errors }, 'graphql operation');
          return Promise.resolve();
        },
      });
    },
  };
}
