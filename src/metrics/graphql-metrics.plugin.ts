import type { ApolloServerPlugin } from '@apollo/server';
import type { AppMetrics } from './metrics';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
// Operation names come from clients; a client sending a new name per request must not create a
// new time series per request. Real apps use a few dozen fixed names.
const MAX_OPERATION_NAMES = 200;

/**
 * Times every GraphQL operation (by operation name). suggestBgm itself is timed by the service
 * (suggestion-metrics.ts): a willResolveField hook here would instrument every field of every answer.
 */
export function graphqlMetricsPlugin(metrics: AppMetrics): ApolloServerPlugin {
  const seen = new Set<string>();
  const operationLabel = (name: string | null | undefined, resolved: boolean): string => {
    if (!resolved) return '(invalid)';
    if (!name) return '(anonymous)';
    if (!NAME.test(name)) return '(other)';
    if (!seen.has(name)) {
      if (seen.size >= MAX_OPERATION_NAMES) return '(other)';
      seen.add(name);
    }
    return name;
  };

  return {
    requestDidStart: () => {
      const end = metrics.graphqlDuration.startTimer();
      return Promise.resolve({
        willSendResponse: ({ operation, operationName, response }) => {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors?.length ?? 0) : 0;
          end({
            operation: operationLabel(operationName, Boolean(operation)),
            type: operation?.operation ?? 'unknown',
            result: errors > 0 ? 'error' : 'success',
          });
          return Promise.resolve();
        },
      });
    },
  };
}
