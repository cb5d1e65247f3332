import type { Db } from '../db/prisma-types';

export interface EmbeddingCoverage {
  /** Tracks not retired (whatever their processing status). */
  live: number;
  /** Live READY tracks that have an embedding under the model version. */
  embedded: number;
}

/** Read-only catalog counts for the embedding-coverage gauge. */
export class EmbeddingCoverageRepository {
  constructor(private readonly db: Db) {}

  /**
   * One pass over the catalog; cheap at thousands of tracks, a scan at millions (cache it).
   * With no model version (none active) only the live count means anything.
   */
  async coverage(modelVersionId: string | null): Promise<EmbeddingCoverage> {
    const rows = await this.db.$queryRaw<{ live: bigint | number; embedded: bigint | number }[]>`
      SELECT count(*)::int8 AS live,
             count(te.track_id) FILTER (WHERE t.status = 'READY')::int8 AS embedded
      FROM track t
      LEFT JOIN track_embedding te ON te.track_id = t.id AND te.model_version_id = ${modelVersionId}::uuid
      WHERE t.retired_at IS NULL`;
    const row = rows[0];
    return { live: Number(row?.live ?? 0), embedded: Number(row?.embedded ?? 0) };
  }
}
