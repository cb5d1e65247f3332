import type { SqlConnection } from '../../db/sql-runner';
import { vectorFromBytes } from '../../db/vector-bytes';
import { withCatalogEpoch } from './catalog-epoch';
import type { CandidateIndex } from './candidates/candidate-index';
import { candidateProbeSql } from './candidates/candidate-sql';
import type {
  VideoSuggestionQuery,
  VideoSuggestionRepository,
  VideoSuggestionResult,
} from './video-suggestion.repository';

/** How a suggestBgm statement found its candidates. */
export type CandidateSource = 'index' | 'walk';

interface Probe {
  versionId: string | null;
  vector: Uint8Array | null;
  epoch: string;
  nowMs: number;
}

/** The probe's row as read: the counter is checked before it is used. */
type ProbeRow = Omit<Probe, 'epoch'> & { epoch: string | null };

/**
 * suggestBgm's statement with its candidates from the in-process index when that index is current
 * (candidates/candidate-index.ts): a probe reads the serving version, the query vector and the
 * catalog counter, the index gives the `pool` nearest eligible tracks, and the statement ranks
 * those on connections that plan it once (`planned`: planning it per call cost about 1.5 ms at
 * 100k tracks). Whenever the index cannot answer (not built yet, behind the catalog, a filter not
 * read yet, no query vector) the statement walks pgvector's index as before, and the index is told
 * which version served, so the next calls can use it.
 */
export class IndexedVideoSuggestionRepository implements VideoSuggestionRepository {
  constructor(
    /** The statement that walks pgvector's index. */
    private readonly walk: VideoSuggestionRepository,
    /** The same statement, for calls with candidates. */
    private readonly planned: VideoSuggestionRepository,
    private readonly sql: Pick<SqlConnection, 'query'>,
    private readonly index: CandidateIndex,
    private readonly onSource?: (source: CandidateSource) => void,
  ) {}

  async suggestForVideo(query: VideoSuggestionQuery): Promise<VideoSuggestionResult> {
    if (query.candidateTrackIds === undefined && this.index.holdsAnyVersion()) {
      const probe = await this.probe(query);
      const candidateTrackIds =
        probe.versionId !== null && probe.vector !== null
          ? this.index.candidates({
              versionId: probe.versionId,
              epoch: probe.epoch,
              nowMs: Number(probe.nowMs),
              filter: query.filter,
              vector: vectorFromBytes(probe.vector),
              pool: query.pool,
            })
          : undefined;
      if (candidateTrackIds) {
        const result = await this.planned.suggestForVideo({ ...query, candidateTrackIds });
        // A version activated between the probe and the statement: those candidates were another
        // version's neighbours, so the page is ranked again by the walk.
        if (result.servingModel?.id === probe.versionId) {
          this.onSource?.('index');
          return result;
        }
      }
    }
    const result = await this.walk.suggestForVideo(query);
    if (result.servingModel) this.index.want(result.servingModel.id);
    this.onSource?.('walk');
    return result;
  }

  private async probe(query: VideoSuggestionQuery): Promise<Probe> {
    const statement = candidateProbeSql(query);
    const rows = await this.sql.query<ProbeRow>(statement.text, statement.values, { prepare: true });
    return withCatalogEpoch(rows[0]);
  }
}
