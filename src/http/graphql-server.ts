import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { GraphQLSchema } from 'graphql';
import type http from 'node:http';
import type { AppConfig } from '../config/config';
import type { RequestContext } from '../graphql/context';
import { formatError } from '../graphql/format-error';
import { costLimitPlugin, loggingPlugin } from '../graphql/plugins';

export function createApolloServer(schema: GraphQLSchema, limits: AppConfig['limits'], httpServer?: http.Server) {
  return new ApolloServer<RequestContext>({
    schema,
    // Kept on explicitly: blocks simple cross-site requests that could carry a victim's cookies.
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // run-until-signal.ts owns SIGTERM/SIGINT and stops everything in order (Apollo within the HTTP
    // server). Apollo's own handler (on outside NODE_ENV=test) raced it: two stop() calls, the
    // second never settled, and the process was force-exited with code 1 after the budget.
    stopOnTerminationSignals: false,
    formatError,
    validationRules: [
      maxDepthRule({
        n: limits.maxQueryDepth,
        ignoreIntrospection: true,
        flattenFragments: true,
        // Reported as a validation error (GRAPHQL_VALIDATION_FAILED) instead of thrown as a crash.
        propagateOnRejection: false,
        onReject: [(ctx, err) => ctx?.reportError(err)],
      }),
    ],
    plugins: [
      costLimitPlugin(schema, limits.maxQueryCost),
      loggingPlugin(),
      ...(httpServer ? [ApolloServerPluginDrainHttpServer({ httpServer })] : []),
    ],
  });
}
