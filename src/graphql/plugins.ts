import { type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind, visit } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { LRUCache } from 'lru-cache';
import { ErrorCode } from '../common/errors';
import type { CallerRateLimiter } from '../common/rate-limiter';
import type { RequestContext } from './context';
import { isExpected } from './format-error';
import { queryTooComplex, rootFields } from './query-limits';

export interface RequestBounds {
  maxQueryCost: number;
  /** Spends the caller's budget for the expensive root fields named in `fields` (one point each). */
  rateLimit?: { limiter: CallerRateLimiter; fields: string[] };
}

/**
 * The checks that need the variables, in order, once the operation is known and before any
 * resolver runs: no NUL in any text, the estimated cost, then the caller's rate budget (spent
 * only by operations that passed the other checks). One plugin, because Apollo runs the plugins'
 * didResolveOperation hooks concurrently and the order matters.
 */
export function requestBoundsPlugin(schema: GraphQLSchema, bounds: RequestBounds): ApolloServerPlugin<RequestContext> {
  const expensive = new Set(bounds.rateLimit?.fields ?? []);
  // Apollo hands the same parsed document to every request with the same text (its document
  // store), so what depends only on the document, or on it and the variables, is worked out once:
  // the literal walk and the cost estimate were about 6 % of a cached suggestBgm's CPU.
  const literalsChecked = new WeakSet<DocumentNode>();
  const costs = new WeakMap<DocumentNode, LRUCache<string, number>>();
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: async ({ request, document, operation, contextValue }) => {
          checkNoNulVariables(request.variables);
          if (!literalsChecked.has(document)) {
            checkNoNulLiterals(document);
            literalsChecked.add(document);
          }
          let known = costs.get(document);
          if (!known) costs.set(document, (known = new LRUCache({ max: COSTS_PER_DOCUMENT })));
          const costKey = JSON.stringify([request.operationName ?? null, request.variables ?? {}]);
          let cost = known.get(costKey);
          if (cost === undefined) {
            cost = estimateCost(schema, document, request.operationName, request.variables);
            // Long variables (an upload's worth of text) are estimated each time rather than kept.
            if (costKey.length <= MAX_COST_KEY_LENGTH) known.set(costKey, cost);
          }
          checkCost(cost, bounds.maxQueryCost);
          if (!bounds.rateLimit || !operation) return;
          const fragments = new Map(
            document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
          );
          const fields = rootFields(operation.selectionSet, (name) => fragments.get(name));
          const points = [...fields.values()].filter((name) => expensive.has(name)).length;
          const verdict = await bounds.rateLimit.limiter.consume(
            { token: contextValue.principal?.id, ip: contextValue.clientIp },
            points,
          );
          if (!verdict.allowed) throw rateLimited(verdict.scope, verdict.retryAfterSeconds);
        },
      }),
  };
}

/** RATE_LIMITED with HTTP 429 and Retry-After, as HTTP clients and proxies expect. */
export function rateLimited(scope: 'token' | 'ip', retryAfter: number): GraphQLError {
  return new GraphQLError(
    `Too many expensive requests for this ${scope === 'ip' ? 'address' : 'token'}; retry in ${retryAfter} s`,
    {
      extensions: {
        code: ErrorCode.RateLimited,
        scope,
        retryAfter,
        http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
      },
    },
  );
}

/**
 * Postgres text cannot hold U+0000: a NUL anywhere in a string argument would fail deep in the
 * database as a 500. Refused here, once for every field: variables (any depth) and literals.
 */
function checkNoNulVariables(variables: Record<string, unknown> | undefined): void {
  const where = findNul(variables ?? {});
  if (where) throw nulError(`variable ${where}`);
}

function checkNoNulLiterals(document: DocumentNode): void {
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\u0000'))
        throw nulError(`the string literal at line ${node.loc?.startToken.line ?? '?'}`);
    },
  });
}

/** Where the first string holding a NUL is, as a variable path; iterative, as variables nest as deep as JSON does. */
function findNul(variables: Record<string, unknown>): string | undefined {
  const stack: [unknown, string][] = Object.entries(variables).map(([k, v]) => [v, `$${k}`]);
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, path] = item;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push([v, `${path}[${i}]`]));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) stack.push([v, `${path}.${k}`]);
    }
  }
  return undefined;
}

const nulError = (where: string) =>
  new GraphQLError(`Text must not contain NUL (U+0000) characters: ${where}`, {
    extensions: { code: ErrorCode.BadUserInput, http: { status: 400 } },
  });

/** Cost estimates kept per document, by operation name and variables. */
const COSTS_PER_DOCUMENT = 1000;
const MAX_COST_KEY_LENGTH = 1024;

/** The estimated cost (list sizes times children); throws typed errors for input it will not count. */
function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): number {
  try {
    return getComplexity({
      schema,
      operationName: operationName ?? undefined,
      query: document,
      variables,
      maxQueryNodes: MAX_ESTIMATED_NODES,
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (err) {
    // The estimator throws, rather than returns, on two kinds of caller input: more nodes than
    // it will count (fragments spread into one another multiply), and variables that do not coerce.
    if (!(err instanceof GraphQLError)) throw err;
    if (/maximum allowed number of nodes/.test(err.message)) {
      throw queryTooComplex('nodes', `Query has more than ${MAX_ESTIMATED_NODES} fields once fragments are spread`, {
        max: MAX_ESTIMATED_NODES,
      });
    }
    throw new GraphQLError(err.message, { extensions: { code: ErrorCode.BadUserInput, http: { status: 400 } } });
  }
}

/** Refuses operations whose estimated cost exceeds the limit. */
function checkCost(cost: number, maxCost: number): void {
  if (cost > maxCost) {
    throw queryTooComplex('cost', `Query cost ${cost} exceeds the limit of ${maxCost}`, {
      cost,
      maxCost,
      max: maxCost,
    });
  }
}

/** Fields (after spreading fragments) the cost estimator visits at most; its own default. */
const MAX_ESTIMATED_NODES = 10_000;

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
