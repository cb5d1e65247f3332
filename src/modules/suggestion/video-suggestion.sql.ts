import { Prisma } from '../../generated/prisma/client';
import type { InstrumentalPreference } from './instrumental-preference';
import { licenseJoin, type SuggestionFilter, trackConditions } from './suggestion-filter';

export interface VideoSuggestionQuery {
  videoId: string;
  /** The caller: suggestions are computed only for the video's owner, or for an admin. */
  callerId: string;
  callerIsAdmin: boolean;
  first: number;
  /** Candidates taken from the track index before the best-window re-rank (>= first). */
  pool: number;
  filter: SuggestionFilter;
  /**
   * The instrumental preference: when the video's voice-over speaks more than `minCoverage` of the
   * time, each candidate's relevance is lowered by `penalty` x its vocal presence before the page is
   * cut. Absent: off (the ranking of rank-tracks.ts exactly).
   */
  instrumental?: InstrumentalPreference;
  /**
   * Candidates found outside Postgres (an in-process index over the serving version's vectors):
   * the pool is then read from these tracks' rows only, ordered by their exact distance, instead of
   * walking the HNSW index. Every check still runs here (serving version, READY, not retired, the
   * filter, a valid license), and a pool they leave short is taken from the exact scan instead, so
   * a stale or wrong list can cost time or ranking quality but never a guarantee. Absent: the HNSW
   * index. Given by the in-process candidate index (indexed-video-suggestion.repository.ts).
   */
  candidateTrackIds?: readonly string[];
}

/**
 * The statement's head: the serving version (the active one, or the canary for the videos it drew
 * once they have an embedding under it), the video, and its query embedding under that version when
 * the caller may read it. Shared by the statement and the candidate index's probe
 * (candidate-probe.sql.ts), so both pick the same version the same way.
 */
export function servingCtes(q: Pick<VideoSuggestionQuery, 'videoId' | 'callerId' | 'callerIsAdmin'>): Prisma.Sql {
  return Prisma.sql`
    active_model AS (
      SELECT id, activated_at FROM model_version WHERE active
    ), canary AS (
      -- At most one (a partial unique index). The video draws it when the first 32 bits of
      -- md5(canary, video) fall below its share: fixed per video, independent across canaries.
      SELECT m.id,
             ('x' || left(md5(m.id::text || '/' || (${q.videoId}::uuid)::text), 8))::bit(32)::bigint
               < m.canary_share * 4294967296 AS picked
      FROM model_version m WHERE m.canary_share > 0 AND NOT m.active
    ), canary_embedded AS (
      SELECT c.id FROM canary c
      WHERE c.picked AND EXISTS (SELECT 1 FROM video_embedding ve
                                 WHERE ve.video_id = ${q.videoId}::uuid AND ve.model_version_id = c.id)
    ), serving_model AS (
      -- The canary for its videos once they have an embedding under it; the active version otherwise.
      SELECT id, NULL::timestamptz(3) AS activated_at FROM canary_embedded
      UNION ALL
      SELECT id, activated_at FROM active_model WHERE NOT EXISTS (SELECT 1 FROM canary_embedded)
    ), the_video AS (
      SELECT id, owner_id, status::text AS status, error,
             (voice_activity->>'coverage')::float8 AS voice_coverage
      FROM video WHERE id = ${q.videoId}::uuid
    ), query_vector AS (
      SELECT ve.embedding FROM video_embedding ve
      WHERE ve.video_id = ${q.videoId}::uuid AND ve.model_version_id = (SELECT id FROM serving_model)
        AND EXISTS (SELECT 1 FROM the_video v
                    WHERE v.status = 'READY' AND (v.owner_id = ${q.callerId} OR ${q.callerIsAdmin}::boolean))
    )`;
}

/**
 * suggestBgm as one statement (one round trip), on the snapshot of one moment:
 * - the video (for the caller's checks: found, owner, status) and the version serving it: the
 *   active one, or the canary when one runs, the video's hash falls in its share and the video
 *   has an embedding under it (model-canary.ts);
 * - its query embedding under that version, read in place (it never travels to the client);
 * - `pool` licensed candidates from the HNSW index (iterative scan: the connection's settings,
 *   database.ts), or an exact filtered scan when the index yields fewer (a page is never short);
 * - per candidate its best 32 s window, the ranking of rank-tracks.ts (window cosine, standardised
 *   by the track's scaling), lowered for vocal tracks under a talking voice-over when the
 *   instrumental preference is on, the first `first` with their track and every license of it.
 * Always one header row (the video and model columns), with the track columns NULL when there is
 * nothing to suggest. Versions cannot mix: every embedding read is of the one serving version.
 */
export function videoSuggestionSql(q: VideoSuggestionQuery): Prisma.Sql {
  const f = q.filter;
  const candidates = (orderBy: Prisma.Sql, gate: Prisma.Sql) => Prisma.sql`
    SELECT te.track_id, (te.embedding <=> (SELECT embedding FROM query_vector))::float8 AS distance,
           lic.id AS license_id, te.score_mean, te.score_std, te.score_offset
    FROM track_embedding te
    JOIN track t ON t.id = te.track_id
    ${licenseJoin(f)}
    WHERE ${gate} AND te.model_version_id = (SELECT id FROM serving_model) AND ${trackConditions(f)}
    ORDER BY ${orderBy}
    LIMIT ${q.pool}`;
  const byDistance = Prisma.sql`te.embedding <=> (SELECT embedding FROM query_vector)`;
  // The gates are uncorrelated, so Postgres evaluates them once before the scan below them and
  // skips the scan when false: no index walk without a query vector, no exact scan when the
  // index filled the pool.
  const hasQuery = Prisma.sql`EXISTS (SELECT 1 FROM query_vector)`;
  const given = q.candidateTrackIds;
  // "+ 0" keeps the planner off the HNSW index: an exact order of the rows the conditions pass.
  const exactOrder = Prisma.sql`(${byDistance}) + 0`;
  const approx = given
    ? candidates(exactOrder, Prisma.sql`${hasQuery} AND te.track_id = ANY(${given}::uuid[])`)
    : candidates(byDistance, hasQuery);
  const pref = q.instrumental;
  const vocalPenalty = pref
    ? Prisma.sql`(CASE WHEN (SELECT voice_coverage FROM the_video) > ${pref.minCoverage}::float8
                  THEN ${pref.penalty}::float8 * coalesce(a.vocal_presence, 0) ELSE 0 END)::float8`
    : Prisma.sql`0::float8`;
  return Prisma.sql`
    WITH ${servingCtes(q)}, approx AS MATERIALIZED (
      ${approx}
    ), exact AS MATERIALIZED (
      ${candidates(exactOrder, Prisma.sql`${hasQuery} AND (SELECT count(*) FROM approx) < ${q.pool}`)}
    ), candidates AS (
      SELECT * FROM approx WHERE (SELECT count(*) FROM approx) >= ${q.pool}
      UNION ALL
      SELECT * FROM exact
    ), scored AS (
      SELECT c.track_id, c.license_id, c.distance,
             coalesce(w.start_sec, 0)::float8 AS start_sec,
             (1 - coalesce(w.distance, c.distance))::float8 AS score,
             CASE WHEN c.score_std IS NULL THEN 1 - coalesce(w.distance, c.distance)
                  ELSE (1 - coalesce(w.distance, c.distance) - c.score_mean) / c.score_std + c.score_offset
             END::float8 AS relevance
      FROM candidates c
      LEFT JOIN LATERAL (
        SELECT s.start_sec, (s.embedding <=> (SELECT embedding FROM query_vector))::float8 AS distance
        FROM track_segment_embedding s
        WHERE s.track_id = c.track_id AND s.model_version_id = (SELECT id FROM serving_model)
        ORDER BY 2, s.window_index
        LIMIT 1
      ) w ON true
    ), ranked AS (
      SELECT s.*, ${vocalPenalty} AS vocal_penalty, a.vocal_presence::float8 AS vocal_presence
      FROM scored s LEFT JOIN track_analysis a ON a.track_id = s.track_id
      ORDER BY s.relevance - ${vocalPenalty} DESC, s.distance, s.track_id
      LIMIT ${q.first}
    )
    SELECT h.model_id::text AS "modelId", h.model_activated_at AS "modelActivatedAt",
           h.canary_id::text AS "canaryId", h.canary_picked AS "canaryPicked",
           h.video_id::text AS "videoId", h.owner_id AS "ownerId", h.status, h.error,
           EXISTS (SELECT 1 FROM query_vector) AS "hasEmbedding",
           r.score, r.relevance, r.start_sec AS "startSec", r.license_id::text AS "licenseId",
           h.voice_coverage AS "voiceCoverage", r.vocal_presence AS "vocalPresence", r.vocal_penalty AS "vocalPenalty",
           t.id::text AS "trackId", t.title, t.artist, t.duration_sec AS "durationSec", t.media_uri AS "mediaUri",
           t.content_hash AS "contentHash", t.tags, t.moods, t.bpm, t.status::text AS "trackStatus",
           t.error AS "trackError", t.retired_at AS "retiredAt", t.created_at AS "createdAt",
           t.updated_at AS "updatedAt",
           (SELECT json_agg(json_build_object(
                     'id', l.id, 'trackId', l.track_id, 'licensor', l.licensor,
                     'territoriesAllowed', l.territories_allowed, 'territoriesDenied', l.territories_denied,
                     'platforms', l.platforms, 'commercialUse', l.commercial_use, 'attribution', l.attribution,
                     'validFrom', l.valid_from, 'validTo', l.valid_to, 'createdAt', l.created_at)
                   ORDER BY l.created_at, l.id)
            FROM license l WHERE l.track_id = t.id) AS licenses
    FROM (SELECT m.id AS model_id, m.activated_at AS model_activated_at,
                 c.id AS canary_id, coalesce(c.picked, false) AS canary_picked,
                 v.id AS video_id, v.owner_id, v.status, v.error, v.voice_coverage
          FROM (SELECT 1) one
          LEFT JOIN serving_model m ON true
          LEFT JOIN canary c ON true
          LEFT JOIN the_video v ON true) h
    LEFT JOIN (ranked r JOIN track t ON t.id = r.track_id) ON true
    ORDER BY r.relevance - r.vocal_penalty DESC NULLS LAST, r.distance, r.track_id`;
}
