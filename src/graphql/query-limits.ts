import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { ErrorCode } from '../common/errors';

/** Which per-request bound an operation exceeded (extensions.limit of QUERY_TOO_COMPLEX). */
export type QueryLimit = 'tokens' | 'depth' | 'aliases' | 'rootFields' | 'directives' | 'cost' | 'nodes';

export interface QueryLimits {
  maxQueryDepth: number;
  maxQueryAliases: number;
  maxQueryRootFields: number;
  maxQueryDirectives: number;
}

/** The one error every size bound answers with: 400, code QUERY_TOO_COMPLEX, the limit and its value. */
export function queryTooComplex(limit: QueryLimit, message: string, details: Record<string, unknown> = {}) {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.QueryTooComplex, limit, ...details, http: { status: 400 } },
  });
}

/**
 * Validation rules bounding the shape of an operation, all checked before any resolver runs.
 * Each reports (rather than throws, which would abort validation as a 500) a QUERY_TOO_COMPLEX
 * error; Apollo relabels validation errors GRAPHQL_VALIDATION_FAILED, and format-error.ts puts
 * the code back. The document itself is bounded first, at parse time (Apollo's
 * parseOptions.maxTokens), so that validation work is bounded too.
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const report =
    (limit: QueryLimit, max: number) =>
    (ctx: ValidationContext | null, err: GraphQLError): void =>
      ctx?.reportError(queryTooComplex(limit, err.message.replace(/^Syntax Error: /, ''), { max }));
  const armor = { propagateOnRejection: false, exposeLimits: true };
  return [
    maxDepthRule({
      ...armor,
      n: limits.maxQueryDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      onReject: [report('depth', limits.maxQueryDepth)],
    }),
    // Aliases are how one request repeats an expensive field (2,400 similarTracks in one POST).
    maxAliasesRule({ ...armor, n: limits.maxQueryAliases, onReject: [report('aliases', limits.maxQueryAliases)] }),
    maxDirectivesRule({
      ...armor,
      n: limits.maxQueryDirectives,
      onReject: [report('directives', limits.maxQueryDirectives)],
    }),
    maxRootFieldsRule(limits.maxQueryRootFields),
  ];
}

/**
 * Root fields are where the work is: every resolver that reads or writes the database is a root
 * field (the object types' field resolvers compute from their parent), and each runs on its own,
 * many of them in a transaction of their own. Counting an operation's root fields therefore bounds
 * the transactions and queries one request can start, before any of them does.
 */
export function maxRootFieldsRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const found = rootFields(operation.selectionSet, (name) => context.getFragment(name)).size;
      if (found > max) {
        context.reportError(
          queryTooComplex('rootFields', `Operation has ${found} root fields; the limit is ${max}`, { max, found }),
        );
      }
    },
  });
}

/**
 * The root fields an operation executes, by response key (alias or name) to field name: fields
 * spread in through fragments included, fields sharing a response key merged (GraphQL resolves
 * them once), @skip/@include ignored (counted, as the worst case). Meta fields (__typename,
 * __schema, __type) are left out: they touch no data.
 */
export function rootFields(
  selectionSet: SelectionSetNode,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
): Map<string, string> {
  const fields = new Map<string, string>();
  const visited = new Set<string>();
  const collect = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (!s.name.value.startsWith('__')) fields.set((s.alias ?? s.name).value, s.name.value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        collect(s.selectionSet);
      } else if (!visited.has(s.name.value)) {
        // A fragment spread twice contributes the same response keys twice: once is enough.
        visited.add(s.name.value);
        const def = fragment(s.name.value);
        if (def) collect(def.selectionSet);
      }
    }
  };
  collect(selectionSet);
  return fields;
}
