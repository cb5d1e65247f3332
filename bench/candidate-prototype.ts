import type { HierarchicalNSW } from 'hnswlib-node';
import { Pool } from 'pg';
import { PreparedStatementNames } from '../src/db/prepared-statements';
import type { SqlConnection } from '../src/db/sql-runner';
import { DEFAULT_INSTRUMENTAL } from '../src/modules/suggestion/instrumental-preference';
import { candidatePool } from '../src/modules/suggestion/rank-tracks';
import type { SuggestionFilter } from '../src/modules/suggestion/suggestion-filter';
import {
  SqlVideoSuggestionRepository,
  type VideoSuggestionResult,
} from '../src/modules/suggestion/video-suggestion.repository';

/**
 * A prototype of suggestBgm with an in-process candidate index (docs/BENCHMARKS.md, "An in-process
 * candidate index"), for bench:search only: the video's query vector read from Postgres (one round
 * trip), its nearest `pool` tracks from hnswlib (the license filter as hnswlib's callback, as an
 * in-memory copy of the licenses would give it), then suggestBgm's statement reading only those
 * tracks (candidateTrackIds), which still checks each of them. Not the service: it has no index
 * upkeep, no canary and no in-memory licenses; it measures what such a design would cost.
 */
export class CandidatePrototype {
  private readonly repo: SqlVideoSuggestionRepository;

  constructor(
    private readonly sql: Pick<SqlConnection, 'query'>,
    private readonly hnsw: HierarchicalNSW,
    /** hnswlib's label -> track id. */
    private readonly trackIdOf: readonly string[],
    private readonly owner: string,
  ) {
    this.repo = new SqlVideoSuggestionRepository(sql);
  }

  async suggest(
    videoId: string,
    modelId: string,
    first: number,
    filter: SuggestionFilter,
    allowed: (label: number) => boolean,
  ): Promise<VideoSuggestionResult> {
    const [row] = await this.sql.query<{ v: string }>(
      'SELECT embedding::text AS v FROM video_embedding WHERE video_id = $1 AND model_version_id = $2',
      [videoId, modelId],
      { prepare: true },
    );
    const query = JSON.parse(row!.v) as number[];
    const pool = candidatePool(first);
    return this.repo.suggestForVideo({
      videoId,
      callerId: this.owner,
      callerIsAdmin: false,
      first,
      pool,
      filter,
      instrumental: DEFAULT_INSTRUMENTAL,
      candidateTrackIds: this.hnsw.searchKnn(query, pool, allowed).neighbors.map((i) => this.trackIdOf[i]!),
    });
  }
}

/**
 * Connections whose prepared statements use a generic plan. With candidates given, suggestBgm's
 * statement has no index walk whose LIMIT needs the values, and Postgres' own choice (auto) keeps
 * planning it for every execution, about 1.5 ms at 100k tracks.
 */
export function genericPlanConnections(url: string): { sql: Pick<SqlConnection, 'query'>; close: () => Promise<void> } {
  const pool = new Pool({
    connectionString: url,
    max: 10,
    options: '-c jit=off -c plan_cache_mode=force_generic_plan',
  });
  const names = new PreparedStatementNames();
  return {
    sql: {
      query: async <T>(text: string, values?: unknown[], options?: { prepare?: boolean }) =>
        (await pool.query({ text, values, name: options?.prepare ? names.nameFor(text) : undefined })).rows as T[],
    },
    close: () => pool.end(),
  };
}
