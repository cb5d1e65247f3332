-- issue 19, round 27: each track's catalog-typicality offset under a model version whose manifest
-- has catalogTypicality (src/inference/catalog-typicality.ts). Ranking adds it to the standardised
-- score; the catalog pass after each embedded track rewrites it for every track of the version.
ALTER TABLE "track_embedding" ADD COLUMN "score_offset" DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE "track_embedding" ADD CONSTRAINT "track_embedding_score_offset_finite"
  CHECK ("score_offset" > '-Infinity'::float8 AND "score_offset" < 'Infinity'::float8);
