import { Prisma } from '../../../generated/prisma/client';
import { licenseJoin, type SuggestionFilter, trackConditions } from '../suggestion-filter';
import { servingCtes, type VideoSuggestionQuery } from '../video-suggestion.sql';

/**
 * What the candidate index needs before it can answer for a suggestBgm call, in one round trip:
 * the version that serves the video (chosen as the statement chooses it), the video's query vector
 * under it when the caller may read it (binary: vector-bytes.ts), the catalog's commit counter
 * (what the index must be current at) and the server's clock (licenses start and end).
 */
export function candidateProbeSql(q: Pick<VideoSuggestionQuery, 'videoId' | 'callerId' | 'callerIsAdmin'>): Prisma.Sql {
  return Prisma.sql`
    WITH ${servingCtes(q)}
    SELECT (SELECT id::text FROM serving_model) AS "versionId",
           (SELECT vector_send(embedding) FROM query_vector) AS vector,
           (SELECT value::text FROM catalog_epoch) AS epoch,
           (extract(epoch FROM now()) * 1000)::float8 AS "nowMs"`;
}

/**
 * Every track vector of a version by row version (xmin changes on every write), and the catalog
 * counter of the same snapshot: what an index must hold to be current at that counter. One row
 * with NULL track columns when the version has none.
 */
export const VECTOR_ROWS_SQL = `
  SELECT e.value::text AS epoch, te.track_id::text AS "trackId", te.xmin::text AS xmin
  FROM catalog_epoch e
  LEFT JOIN track_embedding te ON te.model_version_id = $1::uuid`;

/**
 * The vectors of some tracks under a version (binary: vector-bytes.ts), with the row versions they
 * were read at.
 */
export const VECTORS_SQL = `
  SELECT track_id::text AS "trackId", vector_send(embedding) AS vector, xmin::text AS xmin
  FROM track_embedding
  WHERE model_version_id = $1::uuid AND track_id = ANY($2::uuid[])`;

/**
 * The tracks a filter lets suggestBgm suggest now (the statement's own conditions: READY, not
 * retired, the filter, a license valid now), the catalog counter of the same snapshot, and the
 * next moment a license starts or ends, after which the answer may differ.
 */
export function eligibleTracksSql(f: SuggestionFilter): Prisma.Sql {
  return Prisma.sql`
    SELECT (SELECT value::text FROM catalog_epoch) AS epoch,
           (extract(epoch FROM least((SELECT min(valid_from) FROM license WHERE valid_from > now()),
                                     (SELECT min(valid_to) FROM license WHERE valid_to > now()))) * 1000)::float8
             AS "untilMs",
           (SELECT coalesce(array_agg(t.id::text), '{}') FROM track t ${licenseJoin(f)} WHERE ${trackConditions(f)})
             AS "trackIds"`;
}
