-- issue 16 (canary): a CANDIDATE that passed the gate can serve a share of the videos asking
-- suggestBgm (a hash of the video and the canary picks them), beside the active version.
ALTER TABLE "model_version"
    ADD COLUMN "canary_share" DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN "canary_started_at" TIMESTAMPTZ(3),
    ADD CONSTRAINT "model_version_canary_share_check" CHECK ("canary_share" >= 0 AND "canary_share" <= 1);
-- At most one canary at a time: its arms are "the canary" and "the active version".
CREATE UNIQUE INDEX "model_version_single_canary_key" ON "model_version"((true)) WHERE "canary_share" > 0;

-- Which version served each video's suggestions while a canary ran (one row per canary, video
-- and serving version: a video in the canary's share is served by the active version until it has
-- an embedding under the canary).
CREATE TABLE "canary_serving" (
    "canary_version_id" UUID NOT NULL,
    "video_id" UUID NOT NULL,
    "served_version_id" UUID NOT NULL,
    "requests" INTEGER NOT NULL,
    "first_served_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_served_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "canary_serving_pkey" PRIMARY KEY ("canary_version_id", "video_id", "served_version_id"),
    CONSTRAINT "canary_serving_canary_version_id_fkey" FOREIGN KEY ("canary_version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "canary_serving_served_version_id_fkey" FOREIGN KEY ("served_version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "canary_serving_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "video"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "canary_serving_video_id_last_served_at_idx" ON "canary_serving"("video_id", "last_served_at");

-- A choice made while a canary ran keeps the arm it was made on (the choices per arm are the
-- canary's online result).
ALTER TABLE "bgm_choice"
    ADD COLUMN "served_version_id" UUID,
    ADD COLUMN "canary_version_id" UUID,
    ADD CONSTRAINT "bgm_choice_served_version_id_fkey" FOREIGN KEY ("served_version_id") REFERENCES "model_version"("id") ON DELETE SET NULL ON UPDATE CASCADE,
    ADD CONSTRAINT "bgm_choice_canary_version_id_fkey" FOREIGN KEY ("canary_version_id") REFERENCES "model_version"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "bgm_choice_canary_version_id_idx" ON "bgm_choice"("canary_version_id");
