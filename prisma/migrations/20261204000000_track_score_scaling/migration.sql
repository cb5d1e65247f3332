-- Per (track, model version): the mean and std of the track's best-window score over the model's
-- reference queries (src/inference/track-scaling.ts). NULL when the model ships none: ranking then
-- uses the raw cosine.
ALTER TABLE "track_embedding" ADD COLUMN "score_mean" DOUBLE PRECISION;
ALTER TABLE "track_embedding" ADD COLUMN "score_std" DOUBLE PRECISION;
ALTER TABLE "track_embedding" ADD CONSTRAINT "track_embedding_score_scaling_check"
  CHECK (("score_mean" IS NULL) = ("score_std" IS NULL) AND ("score_std" IS NULL OR "score_std" > 0));
