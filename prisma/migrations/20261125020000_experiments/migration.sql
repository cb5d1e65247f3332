-- CreateEnum
CREATE TYPE "ExperimentStatus" AS ENUM ('DRAFT', 'RUNNING', 'CLOSED');

-- CreateEnum
CREATE TYPE "ArmKind" AS ENUM ('MODEL_VERSION', 'TAG_SEARCH', 'RANDOM');

-- CreateEnum
CREATE TYPE "PreferenceChoice" AS ENUM ('A', 'B', 'NEUTRAL');

-- CreateTable
CREATE TABLE "experiment" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "status" "ExperimentStatus" NOT NULL DEFAULT 'DRAFT',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "experiment_arm" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "experiment_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "kind" "ArmKind" NOT NULL,
    "model_version_id" UUID,
    "config" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "experiment_arm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "experiment_video" (
    "experiment_id" UUID NOT NULL,
    "video_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "experiment_video_pkey" PRIMARY KEY ("experiment_id","video_id")
);

-- CreateTable
CREATE TABLE "preference_task" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "experiment_id" UUID NOT NULL,
    "video_id" UUID NOT NULL,
    "rater_id" TEXT NOT NULL,
    "first_arm_id" UUID NOT NULL,
    "first_track_id" UUID NOT NULL,
    "first_start_sec" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "second_arm_id" UUID NOT NULL,
    "second_track_id" UUID NOT NULL,
    "second_start_sec" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "first_is_a" BOOLEAN NOT NULL,
    "same_track" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "preference_task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "preference_vote" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "task_id" UUID NOT NULL,
    "rater_id" TEXT NOT NULL,
    "choice" "PreferenceChoice" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "preference_vote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bgm_choice" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "video_id" UUID NOT NULL,
    "track_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "rank" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bgm_choice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "experiment_status_created_at_idx" ON "experiment"("status", "created_at");

-- CreateIndex
CREATE INDEX "experiment_arm_model_version_id_idx" ON "experiment_arm"("model_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "experiment_arm_experiment_id_position_key" ON "experiment_arm"("experiment_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "experiment_arm_experiment_id_label_key" ON "experiment_arm"("experiment_id", "label");

-- CreateIndex
CREATE INDEX "experiment_video_video_id_idx" ON "experiment_video"("video_id");

-- CreateIndex
CREATE INDEX "preference_task_experiment_id_rater_id_idx" ON "preference_task"("experiment_id", "rater_id");

-- CreateIndex
CREATE INDEX "preference_task_video_id_idx" ON "preference_task"("video_id");

-- CreateIndex
CREATE INDEX "preference_vote_rater_id_idx" ON "preference_vote"("rater_id");

-- CreateIndex
CREATE UNIQUE INDEX "preference_vote_task_id_rater_id_key" ON "preference_vote"("task_id", "rater_id");

-- CreateIndex
CREATE INDEX "bgm_choice_created_at_id_idx" ON "bgm_choice"("created_at", "id");

-- CreateIndex
CREATE INDEX "bgm_choice_video_id_idx" ON "bgm_choice"("video_id");

-- CreateIndex
CREATE INDEX "bgm_choice_track_id_idx" ON "bgm_choice"("track_id");

-- AddForeignKey
ALTER TABLE "experiment_arm" ADD CONSTRAINT "experiment_arm_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment_arm" ADD CONSTRAINT "experiment_arm_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment_video" ADD CONSTRAINT "experiment_video_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment_video" ADD CONSTRAINT "experiment_video_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "video"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preference_task" ADD CONSTRAINT "preference_task_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preference_task" ADD CONSTRAINT "preference_task_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "video"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preference_task" ADD CONSTRAINT "preference_task_first_arm_id_fkey" FOREIGN KEY ("first_arm_id") REFERENCES "experiment_arm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preference_task" ADD CONSTRAINT "preference_task_second_arm_id_fkey" FOREIGN KEY ("second_arm_id") REFERENCES "experiment_arm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preference_task" ADD CONSTRAINT "preference_task_first_track_id_fkey" FOREIGN KEY ("first_track_id") REFERENCES "track"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preference_task" ADD CONSTRAINT "preference_task_second_track_id_fkey" FOREIGN KEY ("second_track_id") REFERENCES "track"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preference_vote" ADD CONSTRAINT "preference_vote_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "preference_task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bgm_choice" ADD CONSTRAINT "bgm_choice_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bgm_choice" ADD CONSTRAINT "bgm_choice_track_id_fkey" FOREIGN KEY ("track_id") REFERENCES "track"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
