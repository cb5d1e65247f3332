import pgvector from 'pgvector';
import type { Db } from '../../db/prisma-types';
import type { TrackScaling } from '../../inference/track-scaling';
import { Prisma } from '../../generated/prisma/client';
import { licenseJoin, type SuggestionFilter, trackConditions } from './suggestion-filter';
import type { TypicalitySettings } from '../../inference/catalog-typicality';
import { refreshTypicalityOffsets } from './typicality-offsets';

export interface ScoredTrack {
  trackId: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
  /** The track's score standardisation under this model (null: rank by the raw cosine). */
  scaling?: TrackScaling | null;
  /** A license of the track valid now for the filter. */
  licenseId: string;
}

export interface BestWindow {
  trackId: string;
  startSec: number;
  score: number;
}

export interface TrackSegment {
  windowIndex: number;
  startSec: number;
  embedding: number[];
}

export interface EmbeddingRepository {
  /** Inserts or replaces the one embedding of (track, model version). */
  upsertTrackEmbedding(
    trackId: string,
    modelVersionId: string,
    embedding: number[],
    scaling?: TrackScaling | null,
  ): Promise<void>;
  /** Replaces the per-window embeddings of (track, model version) with these. */
  replaceTrackSegments(trackId: string, modelVersionId: string, segments: TrackSegment[]): Promise<void>;
  upsertVideoEmbedding(videoId: string, modelVersionId: string, embedding: number[]): Promise<void>;
  findVideoEmbedding(videoId: string, modelVersionId: string): Promise<number[] | null>;
  /**
   * Nearest suggestible tracks to `query` under `modelVersionId`: READY, not retired, and with a
   * license valid now. The rules are in the SQL so that a page never holds an unlicensed track.
   */
  nearestTracks(
    modelVersionId: string,
    query: number[],
    limit: number,
    filter?: SuggestionFilter,
    excludeTrackId?: string,
  ): Promise<ScoredTrack[]>;
  /** For each track, its 32 s window closest to `query` (the suggested start offset). */
  bestWindows(modelVersionId: string, query: number[], trackIds: string[]): Promise<BestWindow[]>;
  findTrackEmbedding(trackId: string, modelVersionId: string): Promise<number[] | null>;
  /** The catalog pass of a version with catalogTypicality (typicality-offsets.ts); in a transaction. */
  refreshTypicalityOffsets(modelVersionId: string, settings: TypicalitySettings): Promise<number>;
}

export class PgvectorEmbeddingRepository implements EmbeddingRepository {
  constructor(private readonly db: Db) {}

  async upsertTrackEmbedding(
    trackId: string,
    modelVersionId: string,
    embedding: number[],
    scaling: TrackScaling | null = null,
  ): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO track_embedding (track_id, model_version_id, embedding, score_mean, score_std)
      VALUES (${trackId}::uuid, ${modelVersionId}::uuid, ${pgvector.toSql(embedding)}::vector,
              ${scaling?.mean ?? null}::float8, ${scaling?.std ?? null}::float8)
      ON CONFLICT (track_id, model_version_id)
      DO UPDATE SET embedding = EXCLUDED.embedding, score_mean = EXCLUDED.score_mean,
                    score_std = EXCLUDED.score_std, created_at = now()`;
  }

  async replaceTrackSegments(trackId: string, modelVersionId: string, segments: TrackSegment[]): Promise<void> {
    await this.db.$executeRaw`
      DELETE FROM track_segment_embedding
      WHERE track_id = ${trackId}::uuid AND model_version_id = ${modelVersionId}::uuid AND window_index >= ${segments.length}`;
    for (const s of segments) {
      await this.db.$executeRaw`
        INSERT INTO track_segment_embedding (track_id, model_version_id, window_index, start_sec, embedding)
        VALUES (${trackId}::uuid, ${modelVersionId}::uuid, ${s.windowIndex}, ${s.startSec}, ${pgvector.toSql(s.embedding)}::vector)
        ON CONFLICT (track_id, model_version_id, window_index)
        DO UPDATE SET start_sec = EXCLUDED.start_sec, embedding = EXCLUDED.embedding, created_at = now()`;
    }
  }

  async upsertVideoEmbedding(videoId: string, modelVersionId: string, embedding: number[]): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO video_embedding (video_id, model_version_id, embedding)
      VALUES (${videoId}::uuid, ${modelVersionId}::uuid, ${pgvector.toSql(embedding)}::vector)
      ON CONFLICT (video_id, model_version_id)
      DO UPDATE SET embedding = EXCLUDED.embedding, created_at = now()`;
  }

  async findVideoEmbedding(videoId: string, modelVersionId: string): Promise<number[] | null> {
    const rows = await this.db.$queryRaw<{ embedding: string }[]>`
      SELECT embedding::text AS embedding FROM video_embedding
      WHERE video_id = ${videoId}::uuid AND model_version_id = ${modelVersionId}::uuid`;
    return rows[0] ? (pgvector.fromSql(rows[0].embedding) as number[]) : null;
  }

  async findTrackEmbedding(trackId: string, modelVersionId: string): Promise<number[] | null> {
    const rows = await this.db.$queryRaw<{ embedding: string }[]>`
      SELECT embedding::text AS embedding FROM track_embedding
      WHERE track_id = ${trackId}::uuid AND model_version_id = ${modelVersionId}::uuid`;
    return rows[0] ? (pgvector.fromSql(rows[0].embedding) as number[]) : null;
  }

  /**
   * Approximate search first (HNSW with iterative scan, so filters do not empty the page: the
   * connection's settings, database.ts), then, when it returns fewer rows than asked, an exact
   * scan: a page is never short while enough suggestible tracks exist.
   */
  async nearestTracks(
    modelVersionId: string,
    query: number[],
    limit: number,
    filter: SuggestionFilter = {},
    excludeTrackId?: string,
  ): Promise<ScoredTrack[]> {
    const q = pgvector.toSql(query);
    const where = Prisma.sql`te.model_version_id = ${modelVersionId}::uuid AND ${trackConditions(filter)}
      ${excludeTrackId ? Prisma.sql`AND t.id <> ${excludeTrackId}::uuid` : Prisma.empty}`;
    const search = (db: Db, orderBy: Prisma.Sql) => db.$queryRaw<
      {
        trackId: string;
        distance: number;
        licenseId: string;
        scoreMean: number | null;
        scoreStd: number | null;
        scoreOffset: number;
      }[]
    >`
      SELECT te.track_id::text AS "trackId", (te.embedding <=> ${q}::vector)::float8 AS distance, lic.id::text AS "licenseId",
             te.score_mean AS "scoreMean", te.score_std AS "scoreStd", te.score_offset AS "scoreOffset"
      FROM track_embedding te
      JOIN track t ON t.id = te.track_id
      ${licenseJoin(filter)}
      WHERE ${where}
      ORDER BY ${orderBy}
      LIMIT ${limit}`;
    const approx = await search(this.db, Prisma.sql`te.embedding <=> ${q}::vector`);
    // "+ 0" keeps the planner off the HNSW index: an exact, filtered scan.
    const rows =
      approx.length < limit ? await search(this.db, Prisma.sql`(te.embedding <=> ${q}::vector) + 0`) : approx;
    return rows
      .map((r) => ({
        trackId: r.trackId,
        score: 1 - Number(r.distance),
        licenseId: r.licenseId,
        scaling:
          r.scoreStd === null
            ? null
            : { mean: Number(r.scoreMean), std: Number(r.scoreStd), offset: Number(r.scoreOffset) },
      }))
      .sort((a, b) => b.score - a.score);
  }

  refreshTypicalityOffsets(modelVersionId: string, settings: TypicalitySettings): Promise<number> {
    return refreshTypicalityOffsets(this.db, modelVersionId, settings);
  }

  async bestWindows(modelVersionId: string, query: number[], trackIds: string[]): Promise<BestWindow[]> {
    if (trackIds.length === 0) return [];
    const rows = await this.db.$queryRaw<{ trackId: string; startSec: number; distance: number }[]>`
      SELECT DISTINCT ON (track_id) track_id::text AS "trackId", start_sec AS "startSec",
             (embedding <=> ${pgvector.toSql(query)}::vector)::float8 AS distance
      FROM track_segment_embedding
      WHERE model_version_id = ${modelVersionId}::uuid AND track_id = ANY(${trackIds}::uuid[])
      ORDER BY track_id, embedding <=> ${pgvector.toSql(query)}::vector`;
    return rows.map((r) => ({ trackId: r.trackId, startSec: Number(r.startSec), score: 1 - Number(r.distance) }));
  }
}
