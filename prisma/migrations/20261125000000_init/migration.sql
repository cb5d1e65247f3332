-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "vector";

-- CreateEnum
CREATE TYPE "MediaStatus" AS ENUM ('PENDING', 'PROCESSING', 'READY', 'FAILED');

-- CreateEnum
CREATE TYPE "JobKind" AS ENUM ('EMBED_TRACK', 'EMBED_VIDEO', 'REEMBED_CATALOG');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('PENDING', 'PROCESSING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "track" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "title" TEXT NOT NULL,
    "artist" TEXT NOT NULL,
    "duration_sec" DOUBLE PRECISION,
    "media_uri" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "moods" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "bpm" DOUBLE PRECISION,
    "status" "MediaStatus" NOT NULL DEFAULT 'PENDING',
    "error" TEXT,
    "retired_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "track_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "license" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "track_id" UUID NOT NULL,
    "licensor" TEXT NOT NULL,
    "territories_allowed" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "territories_denied" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "platforms" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "commercial_use" BOOLEAN NOT NULL DEFAULT false,
    "attribution" TEXT,
    "valid_from" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "valid_to" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "license_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "video" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "owner_id" TEXT NOT NULL,
    "media_uri" TEXT NOT NULL,
    "voice_over_uri" TEXT,
    "duration_sec" DOUBLE PRECISION,
    "status" "MediaStatus" NOT NULL DEFAULT 'PENDING',
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "video_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_version" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "dims" INTEGER NOT NULL,
    "artifact_uri" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "metrics" JSONB,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "activated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "track_embedding" (
    "id" BIGSERIAL NOT NULL,
    "track_id" UUID NOT NULL,
    "model_version_id" UUID NOT NULL,
    "embedding" vector(512) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "track_embedding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "video_embedding" (
    "id" BIGSERIAL NOT NULL,
    "video_id" UUID NOT NULL,
    "model_version_id" UUID NOT NULL,
    "embedding" vector(512) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "video_embedding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" "JobKind" NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 5,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_message" (
    "id" BIGSERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "msg_id" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_message_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "track_content_hash_key" ON "track"("content_hash");

-- CreateIndex
CREATE INDEX "track_created_at_id_idx" ON "track"("created_at", "id");

-- CreateIndex
CREATE INDEX "license_track_id_idx" ON "license"("track_id");

-- CreateIndex
CREATE INDEX "video_owner_id_created_at_idx" ON "video"("owner_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "model_version_name_version_key" ON "model_version"("name", "version");

-- CreateIndex
CREATE INDEX "track_embedding_model_version_id_idx" ON "track_embedding"("model_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "track_embedding_track_id_model_version_id_key" ON "track_embedding"("track_id", "model_version_id");

-- CreateIndex
CREATE INDEX "video_embedding_model_version_id_idx" ON "video_embedding"("model_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "video_embedding_video_id_model_version_id_key" ON "video_embedding"("video_id", "model_version_id");

-- CreateIndex
CREATE INDEX "job_status_kind_idx" ON "job"("status", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_message_msg_id_key" ON "outbox_message"("msg_id");

-- AddForeignKey
ALTER TABLE "license" ADD CONSTRAINT "license_track_id_fkey" FOREIGN KEY ("track_id") REFERENCES "track"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "track_embedding" ADD CONSTRAINT "track_embedding_track_id_fkey" FOREIGN KEY ("track_id") REFERENCES "track"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "track_embedding" ADD CONSTRAINT "track_embedding_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "video_embedding" ADD CONSTRAINT "video_embedding_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "video_embedding" ADD CONSTRAINT "video_embedding_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Not expressible in schema.prisma -------------------------------------------------------------

-- Approximate nearest-neighbour search (cosine) over embeddings.
CREATE INDEX "track_embedding_hnsw_idx" ON "track_embedding" USING hnsw ("embedding" vector_cosine_ops);
CREATE INDEX "video_embedding_hnsw_idx" ON "video_embedding" USING hnsw ("embedding" vector_cosine_ops);

-- At most one active model version.
CREATE UNIQUE INDEX "model_version_single_active_key" ON "model_version"("active") WHERE "active";

-- The outbox relay scans unpublished rows in order.
CREATE INDEX "outbox_message_unpublished_idx" ON "outbox_message"("id") WHERE "published_at" IS NULL;
