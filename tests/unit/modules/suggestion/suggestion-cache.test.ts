import {
  CachedVideoSuggestionRepository,
  type SuggestionCacheLookup,
  suggestionCacheKey,
} from '../../../../src/modules/suggestion/suggestion-cache';
import type {
  VideoSuggestionQuery,
  VideoSuggestionResult,
} from '../../../../src/modules/suggestion/video-suggestion.repository';

const query = (over: Partial<VideoSuggestionQuery> = {}): VideoSuggestionQuery => ({
  videoId: 'v1',
  callerId: 'u1',
  callerIsAdmin: false,
  first: 10,
  pool: 30,
  filter: {},
  ...over,
});

/** The statement and the token as fakes: counts the statements run, answers with a fresh object each. */
function setUp(maxSuggestions = 100) {
  let token = 't0';
  let statements = 0;
  const lookups: SuggestionCacheLookup[] = [];
  const cache = new CachedVideoSuggestionRepository(
    {
      suggestForVideo: (q) => {
        statements++;
        // A fresh object per statement (the tests tell answers apart by identity), after a turn of the loop.
        return new Promise((resolve) =>
          setImmediate(() => resolve({ q, suggestions: [] } as unknown as VideoSuggestionResult)),
        );
      },
    },
    { tokenFor: (videoId) => Promise.resolve(`${token}/${videoId}`) },
    { maxSuggestions, onLookup: (r) => lookups.push(r) },
  );
  return {
    cache,
    lookups,
    statements: () => statements,
    setToken: (t: string) => {
      token = t;
    },
  };
}

describe('suggestBgm response cache', () => {
  it('answers from memory while the token is unchanged, and runs the statement again when it changes', async () => {
    const s = setUp();
    const first = await s.cache.suggestForVideo(query());
    expect(await s.cache.suggestForVideo(query())).toBe(first);
    expect(s.statements()).toBe(1);
    s.setToken('t1');
    const after = await s.cache.suggestForVideo(query());
    expect(after).not.toBe(first);
    expect(s.statements()).toBe(2);
    expect(s.lookups).toEqual(['miss', 'hit', 'stale']);
  });

  it('keys on everything the answer depends on, filters in any key order', () => {
    const base = suggestionCacheKey(query());
    for (const other of [
      query({ videoId: 'v2' }),
      query({ callerId: 'u2' }),
      query({ callerIsAdmin: true }),
      query({ first: 11 }),
      query({ pool: 33 }),
      query({ filter: { territory: 'DE' } }),
      query({ instrumental: { minCoverage: 0.25, penalty: 1 } }),
      query({ candidateTrackIds: ['t1'] }),
    ])
      expect(suggestionCacheKey(other)).not.toBe(base);
    expect(suggestionCacheKey(query({ filter: { territory: 'DE', commercialUse: true } }))).toBe(
      suggestionCacheKey(query({ filter: { commercialUse: true, territory: 'DE', moods: undefined } })),
    );
    expect(suggestionCacheKey(query({ instrumental: { minCoverage: 0.25, penalty: 1 } }))).not.toBe(
      suggestionCacheKey(query({ instrumental: { minCoverage: 0.25, penalty: 2 } })),
    );
  });

  it('keeps at most maxSuggestions (a page counts its suggestions + 1), least recently used out first', async () => {
    // The fake pages hold no suggestions: each counts 1, so two fit.
    const s = setUp(2);
    await s.cache.suggestForVideo(query({ videoId: 'a' }));
    await s.cache.suggestForVideo(query({ videoId: 'b' }));
    await s.cache.suggestForVideo(query({ videoId: 'a' })); // a is now the most recent
    await s.cache.suggestForVideo(query({ videoId: 'c' })); // b goes
    await s.cache.suggestForVideo(query({ videoId: 'a' }));
    await s.cache.suggestForVideo(query({ videoId: 'b' }));
    expect(s.lookups).toEqual(['miss', 'miss', 'hit', 'miss', 'hit', 'miss']);
  });

  it('does not keep an answer whose statement failed', async () => {
    let fail = true;
    const cache = new CachedVideoSuggestionRepository(
      {
        suggestForVideo: () =>
          fail
            ? Promise.reject(new Error('statement timeout'))
            : Promise.resolve({ suggestions: [] } as unknown as VideoSuggestionResult),
      },
      { tokenFor: () => Promise.resolve('t') },
      { maxSuggestions: 5 },
    );
    await expect(cache.suggestForVideo(query())).rejects.toThrow('statement timeout');
    fail = false;
    await expect(cache.suggestForVideo(query())).resolves.toEqual({ suggestions: [] });
  });
});

describe('suggestBgm response cache, calls at once', () => {
  it('runs one statement for the same page asked twice at once, two when the data changed in between', async () => {
    const s = setUp();
    const [a, b] = await Promise.all([s.cache.suggestForVideo(query()), s.cache.suggestForVideo(query())]);
    expect(a).toBe(b);
    expect(s.statements()).toBe(1);
    expect(s.lookups.sort()).toEqual(['joined', 'miss']);

    const first = s.cache.suggestForVideo(query({ videoId: 'v9' }));
    s.setToken('t1');
    const second = s.cache.suggestForVideo(query({ videoId: 'v9' }));
    expect(await first).not.toBe(await second);
    expect(s.statements()).toBe(3);
  });
});
