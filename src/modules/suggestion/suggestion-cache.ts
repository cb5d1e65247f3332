import { LRUCache } from 'lru-cache';
import { canonicalFilter } from './suggestion-filter';
import type { SuggestionFreshness } from './suggestion-freshness';
import type {
  VideoSuggestionQuery,
  VideoSuggestionRepository,
  VideoSuggestionResult,
} from './video-suggestion.repository';

/** hit: answered from memory; joined: waited for the same page another call was ranking. */
export type SuggestionCacheLookup = 'hit' | 'joined' | 'miss' | 'stale';

export interface SuggestionCacheOptions {
  /**
   * Suggestions kept, over all pages (a page counts its suggestions + 1; the least recently used go
   * first). About 3 KiB each: a suggestion holds its track and every license of it.
   */
  maxSuggestions: number;
  /** Told of every lookup, for the metrics. */
  onLookup?: (result: SuggestionCacheLookup) => void;
}

/** Everything the statement's answer depends on besides the data: the caller is part of it. */
export function suggestionCacheKey(q: VideoSuggestionQuery): string {
  return JSON.stringify([
    q.videoId,
    q.callerId,
    q.callerIsAdmin,
    q.first,
    q.pool,
    canonicalFilter(q.filter),
    q.instrumental ? [q.instrumental.minCoverage, q.instrumental.penalty] : null,
    q.candidateTrackIds ?? null,
  ]);
}

interface Entry {
  token: string;
  result: VideoSuggestionResult;
}

/**
 * suggestBgm's statement answered from memory while its freshness token is unchanged (a whole
 * answer: the video's checks, the serving version, the canary's draw and the ranked page, so the
 * service does with a hit exactly what it does with the statement's answer, the canary's record of
 * the request included). A hit costs one round trip of index probes instead of the search.
 *
 * Only for reads outside a transaction: inside one, the token (bumped at commit) would not see the
 * transaction's own writes. The entries are shared between requests and must not be mutated.
 */
export class CachedVideoSuggestionRepository implements VideoSuggestionRepository {
  private readonly entries: LRUCache<string, Entry>;
  /**
   * Statements running now, by key: a call with the same key and token waits for that one instead
   * of ranking the same page again (a burst of one video's requests costs one search). Same token:
   * nothing changed between that statement's token read and this call's, so its answer is current.
   */
  private readonly running = new Map<string, { token: string; result: Promise<VideoSuggestionResult> }>();

  constructor(
    private readonly inner: VideoSuggestionRepository,
    private readonly freshness: SuggestionFreshness,
    private readonly options: SuggestionCacheOptions,
  ) {
    this.entries = new LRUCache({
      maxSize: options.maxSuggestions,
      sizeCalculation: (e) => 1 + e.result.suggestions.length,
    });
  }

  async suggestForVideo(query: VideoSuggestionQuery): Promise<VideoSuggestionResult> {
    const key = suggestionCacheKey(query);
    const token = await this.freshness.tokenFor(query.videoId);
    const cached = this.entries.get(key);
    if (cached?.token === token) {
      this.options.onLookup?.('hit');
      return cached.result;
    }
    const running = this.running.get(key);
    if (running?.token === token) {
      this.options.onLookup?.('joined');
      return running.result;
    }
    const result = this.inner.suggestForVideo(query);
    const flight = { token, result };
    this.running.set(key, flight);
    try {
      const answer = await result;
      this.entries.set(key, { token, result: answer });
      this.options.onLookup?.(cached ? 'stale' : 'miss');
      return answer;
    } finally {
      // A later call with a newer token may have replaced it: only this flight's own entry goes.
      if (this.running.get(key) === flight) this.running.delete(key);
    }
  }
}
