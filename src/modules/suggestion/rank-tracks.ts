import type { EmbeddingRepository, ScoredTrack } from './embedding.repository';
import type { VocalPenalties } from './instrumental-preference';
import type { SuggestionFilter } from './suggestion-filter';
import { scaledScore } from '../../inference/track-scaling';

export type RankedTrack = ScoredTrack & { startOffsetSec: number; relevance: number };

/** Candidates fetched by track vector before re-ranking by best window (also video-suggestion.sql.ts). */
export const candidatePool = (first: number) => Math.min(150, Math.max(30, first * 3));

/**
 * The product's ranking for a query embedding, shared by suggestBgm and the MODEL_VERSION arm of
 * preference experiments (so raters judge what is served): licensed candidates from the track
 * index, re-ranked by each track's best 32 s window, as the paper matches 32 s clips; the window's
 * start is where the music should start. Tracks are ordered by relevance: the window's cosine
 * standardised by the track's scaling when the model has one (src/inference/track-scaling.ts),
 * less the video's vocal penalties when given (instrumental-preference.ts).
 */
export async function rankTracks(
  embeddings: Pick<EmbeddingRepository, 'nearestTracks' | 'bestWindows'>,
  modelVersionId: string,
  query: number[],
  first: number,
  filter: SuggestionFilter = {},
  vocalPenalties?: VocalPenalties,
): Promise<RankedTrack[]> {
  const candidates = await embeddings.nearestTracks(modelVersionId, query, candidatePool(first), filter);
  const windows = new Map(
    (
      await embeddings.bestWindows(
        modelVersionId,
        query,
        candidates.map((c) => c.trackId),
      )
    ).map((w) => [w.trackId, w]),
  );
  const penalties = vocalPenalties ? await vocalPenalties(candidates.map((c) => c.trackId)) : new Map<string, number>();
  const trackScore = new Map(candidates.map((c) => [c.trackId, c.score]));
  const order = (t: RankedTrack) => t.relevance - (penalties.get(t.trackId) ?? 0);
  return (
    candidates
      .map((c) => {
        const score = windows.get(c.trackId)?.score ?? c.score;
        return {
          ...c,
          score,
          relevance: scaledScore(score, c.scaling),
          startOffsetSec: windows.get(c.trackId)?.startSec ?? 0,
        };
      })
      // As the statement orders: relevance less the vocal penalty, then the track vector's distance, then id.
      .sort(
        (a, b) =>
          order(b) - order(a) ||
          trackScore.get(b.trackId)! - trackScore.get(a.trackId)! ||
          (a.trackId < b.trackId ? -1 : a.trackId > b.trackId ? 1 : 0),
      )
      .slice(0, first)
  );
}
