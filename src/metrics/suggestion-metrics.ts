import type { AppMetrics } from './metrics';

/** How a suggestBgm call ended, as far as the metrics read it (SuggestionService's SuggestOutcome). */
export type ObservedSuggestion = { seconds: number } & (
  { failed: false; modelVersion: { name: string; version: string; active: boolean } } | { failed: true }
);

/**
 * Times suggestBgm and counts the pages served per version and arm. Told by the service rather than
 * read from an Apollo willResolveField hook: any plugin with that hook makes Apollo wrap and call into
 * every field of every response (a page of 10 suggestions has ~150): with the cache-control plugin,
 * about 4 % of the API's CPU per cached request (docs/BENCHMARKS.md, "GraphQL's share of a cache hit").
 */
export function observeSuggestion(metrics: AppMetrics, outcome: ObservedSuggestion): void {
  metrics.suggestDuration.observe({ result: outcome.failed ? 'error' : 'success' }, outcome.seconds);
  if (outcome.failed) return;
  const model = outcome.modelVersion;
  // The canary's pages beside the active version's (model-canary.ts): a canary that serves nothing,
  // or everything, shows here before its report has choices.
  metrics.suggestionsServed.inc({
    model_version: `${model.name}@${model.version}`,
    arm: model.active ? 'active' : 'canary',
  });
}
