-- Upload ownership: registerVideo accepts only media the caller uploaded, deleteVideo removes only
-- files its owner uploaded, per-user quota on unregistered uploads, sweep of stale unregistered ones.
CREATE TABLE "upload" (
    "media_uri" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "registered_at" TIMESTAMPTZ(3),

    CONSTRAINT "upload_pkey" PRIMARY KEY ("media_uri","owner_id")
);
-- One uploader's unregistered uploads (quota).
CREATE INDEX "upload_owner_id_registered_at_idx" ON "upload"("owner_id", "registered_at");
-- The sweep: unregistered uploads, oldest first.
CREATE INDEX "upload_registered_at_created_at_idx" ON "upload"("registered_at", "created_at");
