import type { ApolloServerPlugin } from '@apollo/server';
import type { AppMetrics } from './metrics';

/** What the suggestBgm resolver returns, as far as the served-pages counter reads it. */
interface ServedPage {
  modelVersion?: { name: string; version: string; active: boolean };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
// Operation names come from clients; a client sending a new name per request must not create a
// new time series per request. Real apps use a few dozen fixed names.
const MAX_OPERATION_NAMES = 200;

/**
 * Times every GraphQL operation (by operation name) and the suggestBgm field itself. Timing the
 * field here rather than in SuggestionService keeps the service free of metrics.
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
        executionDidStart: () =>
          Promise.resolve({
            willResolveField: ({ info }) => {
              if (info.parentType.name !== 'Query' || info.fieldName !== 'suggestBgm') return;
              const done = metrics.suggestDuration.startTimer();
              return (error, result) => {
                done({ result: error ? 'error' : 'success' });
                const model = (result as ServedPage | undefined)?.modelVersion;
                // The canary's pages beside the active version's (model-canary.ts): a canary that
                // serves nothing, or everything, shows here before its report has choices.
                if (!error && model)
                  metrics.suggestionsServed.inc({
                    model_version: `${model.name}@${model.version}`,
                    arm: model.active ? 'active' : 'canary',
                  });
              };
            },
          }),
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
