import type { SqlConnection } from '../../db/sql-runner';
import { withCatalogEpoch } from './catalog-epoch';

/**
 * Says whether anything a suggestBgm page of a video was ranked from has changed: a token that
 * differs whenever the page could differ. Read before the page is ranked, so a token is never newer
 * than the data it labels (a write in between makes the next token differ: a miss, never a stale hit).
 */
export interface SuggestionFreshness {
  tokenFor(videoId: string): Promise<string>;
}

interface Row {
  epoch: string | null;
  boundary: string | null;
  video: string | null;
  embeddings: string | null;
}

/**
 * The token's parts (migration 20261217000000_catalog_epoch): the catalog's commit counter, the
 * next moment a license starts or ends, and the row versions (xmin) of the video and its query
 * embeddings, which change on every update. One round trip of primary-key and index probes.
 */
const FRESHNESS_SQL = `
  SELECT (SELECT value::text FROM catalog_epoch) AS epoch,
         least((SELECT min(valid_from) FROM license WHERE valid_from > now()),
               (SELECT min(valid_to) FROM license WHERE valid_to > now()))::text AS boundary,
         (SELECT xmin::text FROM video WHERE id = $1::uuid) AS video,
         (SELECT string_agg(model_version_id::text || ':' || xmin::text, ',' ORDER BY model_version_id)
          FROM video_embedding WHERE video_id = $1::uuid) AS embeddings`;

export class SqlSuggestionFreshness implements SuggestionFreshness {
  constructor(private readonly sql: Pick<SqlConnection, 'query'>) {}

  async tokenFor(videoId: string): Promise<string> {
    const rows = await this.sql.query<Row>(FRESHNESS_SQL, [videoId], { prepare: true });
    const row = withCatalogEpoch(rows[0]);
    return [row.epoch, row.boundary ?? '', row.video ?? '', row.embeddings ?? ''].join('|');
  }
}
