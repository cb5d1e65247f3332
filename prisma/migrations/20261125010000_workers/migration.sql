-- CreateTable
CREATE TABLE "track_segment_embedding" (
    "id" BIGSERIAL NOT NULL,
    "track_id" UUID NOT NULL,
    "model_version_id" UUID NOT NULL,
    "window_index" INTEGER NOT NULL,
    "start_sec" DOUBLE PRECISION NOT NULL,
    "embedding" vector(512) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "track_segment_embedding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "track_segment_embedding_model_version_id_idx" ON "track_segment_embedding"("model_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "track_segment_embedding_track_id_model_version_id_window_index_key" ON "track_segment_embedding"("track_id", "model_version_id", "window_index");

-- AddForeignKey
ALTER TABLE "track_segment_embedding" ADD CONSTRAINT "track_segment_embedding_track_id_fkey" FOREIGN KEY ("track_id") REFERENCES "track"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "track_segment_embedding" ADD CONSTRAINT "track_segment_embedding_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- No HNSW index here: windows are only read for given tracks (start offsets), through the unique
-- index above; an ANN index over every window would cost several times the track index.

-- AlterTable
ALTER TABLE "job" ADD COLUMN "dedup_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "job_dedup_key_key" ON "job"("dedup_key");
