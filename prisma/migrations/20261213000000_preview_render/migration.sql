-- issue 17 (preview renders): renderPreview queues a RENDER_PREVIEW job that mixes the video, its
-- voice-over and a cut of a track, normalised to a target loudness. One row per inputs (the
-- unique key) serves a repeated request from the same render until it expires.
ALTER TYPE "JobKind" ADD VALUE 'RENDER_PREVIEW';

CREATE TYPE "RenderStatus" AS ENUM ('PENDING', 'PROCESSING', 'READY', 'FAILED');

CREATE TABLE "preview_render" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "video_id" UUID NOT NULL,
    "track_id" UUID NOT NULL,
    "cut_start_sec" DOUBLE PRECISION NOT NULL,
    "cut_end_sec" DOUBLE PRECISION NOT NULL,
    "fade_out_sec" DOUBLE PRECISION NOT NULL,
    "target_lufs" DOUBLE PRECISION NOT NULL,
    "status" "RenderStatus" NOT NULL DEFAULT 'PENDING',
    "error" TEXT,
    "media_uri" TEXT,
    "measured_lufs" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "preview_render_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "preview_render_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "video"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "preview_render_track_id_fkey" FOREIGN KEY ("track_id") REFERENCES "track"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "preview_render_video_id_track_id_cut_start_sec_cut_end_sec_target_lufs_key"
    ON "preview_render"("video_id", "track_id", "cut_start_sec", "cut_end_sec", "target_lufs");
CREATE INDEX "preview_render_expires_at_idx" ON "preview_render"("expires_at");
