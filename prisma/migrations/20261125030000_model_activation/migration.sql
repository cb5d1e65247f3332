-- AlterTable
ALTER TABLE "model_version" ADD COLUMN "activation_requested_at" TIMESTAMPTZ(3);
