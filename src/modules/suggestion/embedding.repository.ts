import pgvector from 'pgvector';
import type { Db } from '../../db/prisma-types';

export interface ScoredTrack {
  trackId: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

export interface TrackSegment {
  windowIndex: number;
  startSec: number;
  embedding: number[];
}

export interface EmbeddingRepository {
  /** Inserts or replaces the one embedding of (track, model version). */
  upsertTrackEmbedding(trackId: string, modelVersionId: string, embedding: number[]): Promise<void>;
  /** Replaces the per-window embeddings of (track, model version) with these. */
  replaceTrackSegments(trackId: string, modelVersionId: string, segments: TrackSegment[]): Promise<void>;
  upsertVideoEmbedding(videoId: string, modelVersionId: string, embedding: number[]): Promise<void>;
  findVideoEmbedding(videoId: string, modelVersionId: string): Promise<number[] | null>;
  /**
   * Nearest suggestible tracks to `query` under `modelVersionId`: READY, not retired, and with a
   * license valid now. The rules are in the SQL so that a page never holds an unlicensed track.
   */
  nearestTracks(modelVersionId: string, query: number[], limit: number): Promise<ScoredTrack[]>;
}

export class PgvectorEmbeddingRepository implements EmbeddingRepository {
  constructor(private readonly db: Db) {}

  async upsertTrackEmbedding(trackId: string, modelVersionId: string, embedding: number[]): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO track_embedding (track_id, model_version_id, embedding)
      VALUES (${trackId}::uuid, ${modelVersionId}::uuid, ${pgvector.toSql(embedding)}::vector)
      ON CONFLICT (track_id, model_version_id)
      DO UPDATE SET embedding = EXCLUDED.embedding, created_at = now()`;
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

  async nearestTracks(modelVersionId: string, query: number[], limit: number): Promise<ScoredTrack[]> {
    const q = pgvector.toSql(query);
    const rows = await this.db.$queryRaw<{ trackId: string; distance: number }[]>`
      SELECT te.track_id::text AS "trackId", (te.embedding <=> ${q}::vector)::float8 AS distance
      FROM track_embedding te
      JOIN track t ON t.id = te.track_id
      WHERE te.model_version_id = ${modelVersionId}::uuid
        AND t.status = 'READY'
        AND t.retired_at IS NULL
        AND EXISTS (
          SELECT 1 FROM license l
          WHERE l.track_id = t.id AND l.valid_from <= now() AND (l.valid_to IS NULL OR l.valid_to > now()))
      ORDER BY te.embedding <=> ${q}::vector
      LIMIT ${limit}`;
    return rows.map((r) => ({ trackId: r.trackId, score: 1 - Number(r.distance) }));
  }
}
