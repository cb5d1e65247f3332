import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import type http from 'node:http';
import type { AppConfig } from '../config/config';
import type { RequestContext } from '../graphql/context';
import { formatError } from '../graphql/format-error';
import { loggingPlugin, type RequestBounds, requestBoundsPlugin } from '../graphql/plugins';
import { queryLimitRules } from '../graphql/query-limits';

export function createApolloServer(
  schema: GraphQLSchema,
  limits: AppConfig['limits'],
  httpServer?: http.Server,
  rateLimit?: RequestBounds['rateLimit'],
) {
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
    // Bounds the document before anything else reads it (graphql-js stops lexing past the limit).
    parseOptions: { maxTokens: limits.maxQueryTokens },
    // Depth, aliases, directives, root fields: graphql/query-limits.ts.
    validationRules: queryLimitRules(limits),
    plugins: [
      // No field has a cache hint and answers are never cached by HTTP caches (they depend on the
      // caller), but Apollo's default cache-control plugin has a willResolveField hook: with it
      // Apollo wraps every field of the schema and calls the hook for every field of every answer.
      ApolloServerPluginCacheControlDisabled(),
      requestBoundsPlugin(schema, { maxQueryCost: limits.maxQueryCost, rateLimit }),
      loggingPlugin(),
      ...(httpServer ? [ApolloServerPluginDrainHttpServer({ httpServer })] : []),
    ],
  });
}
