-- issue 16 (model registry): registerModelVersion stores an uploaded model as VALIDATING and
-- queues a PROBE_MODEL job; the probe makes it a CANDIDATE or REJECTED (with the reason).
-- Versions registered before this (MODEL_DIR, the bundled folder) are CANDIDATEs.
ALTER TYPE "JobKind" ADD VALUE 'PROBE_MODEL';
-- The offline gate: evaluateModelVersion ranks the creators' most recent choices under the
-- candidate and the active version (an EVALUATE_MODEL job once both have their embeddings).
ALTER TYPE "JobKind" ADD VALUE 'EVALUATE_MODEL';

CREATE TYPE "ModelStatus" AS ENUM ('VALIDATING', 'CANDIDATE', 'REJECTED', 'RETIRED');

ALTER TABLE "model_version"
    ADD COLUMN "status" "ModelStatus" NOT NULL DEFAULT 'CANDIDATE',
    ADD COLUMN "status_reason" TEXT,
    ADD COLUMN "lineage" JSONB,
    ADD COLUMN "probe" JSONB,
    ADD COLUMN "evaluation" JSONB;

-- dataset:from-platform pairs a video with the part of the track the creator used.
ALTER TABLE "bgm_choice" ADD COLUMN "start_sec" DOUBLE PRECISION;
