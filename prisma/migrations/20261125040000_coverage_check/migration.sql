-- When a worker last checked whether a pending model version covers the catalog: the check scans
-- the catalog, so at most one worker runs it per ACTIVATION_CHECK_INTERVAL_MS (compare-and-set).
ALTER TABLE "model_version" ADD COLUMN "coverage_checked_at" TIMESTAMPTZ(3);
