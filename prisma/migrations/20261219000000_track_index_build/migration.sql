-- issue 15: the track index rebuilt with ef_construction 200 (pgvector's default is 64), whose graph
-- reaches the same recall at a quarter of the ef_search and about half the p99 (docs/BENCHMARKS.md,
-- "Index parameters"; src/db/track-index.ts holds the build). Rebuilt here only while the table is
-- small: this runs in the migrations' transaction, and DROP INDEX holds every search off until the
-- build ends (at 10,000 embeddings a few seconds). A larger catalog keeps its graph until an
-- operator runs `npm run track-index:rebuild` (CREATE INDEX CONCURRENTLY beside it, then a swap);
-- the API reads the live index's build and searches it with an ef_search to match either way.
DO $$
BEGIN
  IF (SELECT count(*) FROM (SELECT 1 FROM "track_embedding" LIMIT 10001) AS s) <= 10000 THEN
    DROP INDEX IF EXISTS "track_embedding_hnsw_idx";
    CREATE INDEX "track_embedding_hnsw_idx" ON "track_embedding"
      USING hnsw ("embedding" vector_cosine_ops) WITH (m = 16, ef_construction = 200);
  END IF;
END $$;
