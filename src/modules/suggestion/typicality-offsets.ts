import pgvector from 'pgvector';
import type { Db } from '../../db/prisma-types';
import { catalogTypicality, typicalityOffsets, type TypicalitySettings } from '../../inference/catalog-typicality';

/**
 * The catalog pass of a model version with catalogTypicality: every embedded track's offset
 * (track_embedding.score_offset) recomputed from the timing parts of all the version's windows.
 * Run in a transaction: an advisory lock per version serialises the passes, so the last pass after
 * concurrent embeddings reads every committed track. A catalog of one track gets offset 0.
 * Cost grows with the square of the catalog's windows (docs/MODEL_CONTRACT.md, known limit).
 * Returns the number of tracks.
 */
export async function refreshTypicalityOffsets(
  db: Db,
  modelVersionId: string,
  settings: TypicalitySettings,
): Promise<number> {
  // $executeRaw: pg_advisory_xact_lock returns void, which a result-reading query cannot decode.
  await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`typicality:${modelVersionId}`}, 0))`;
  // Only the timing part travels: the last `bins` numbers of each window (pgvector's subvector is 1-based).
  const rows = await db.$queryRaw<{ trackId: string; timing: string }[]>`
    SELECT s.track_id::text AS "trackId",
           subvector(s.embedding, vector_dims(s.embedding) - ${settings.bins}::int + 1, ${settings.bins}::int)::text AS timing
    FROM track_segment_embedding s
    JOIN track_embedding te ON te.track_id = s.track_id AND te.model_version_id = s.model_version_id
    WHERE s.model_version_id = ${modelVersionId}::uuid
    ORDER BY s.track_id, s.window_index`;
  const windows = new Map<string, number[][]>();
  for (const r of rows) {
    const timing = pgvector.fromSql(r.timing) as number[];
    const list = windows.get(r.trackId);
    if (list) list.push(timing);
    else windows.set(r.trackId, [timing]);
  }
  const trackIds = [...windows.keys()];
  const offsets =
    trackIds.length < 2
      ? trackIds.map(() => 0)
      : typicalityOffsets(
          catalogTypicality([...windows.values()], settings.bins, settings.probeStride),
          settings.lambda,
        );
  if (trackIds.length > 0)
    await db.$executeRaw`
      UPDATE track_embedding te SET score_offset = v.score_offset
      FROM unnest(${trackIds}::uuid[], ${offsets}::float8[]) AS v(track_id, score_offset)
      WHERE te.track_id = v.track_id AND te.model_version_id = ${modelVersionId}::uuid
        AND te.score_offset IS DISTINCT FROM v.score_offset`;
  return trackIds.length;
}
