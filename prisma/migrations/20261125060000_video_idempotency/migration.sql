-- registerVideo(idempotencyKey): a client retrying a registration gets the same video back.
ALTER TABLE "video" ADD COLUMN "idempotency_key" TEXT;
CREATE UNIQUE INDEX "video_owner_id_idempotency_key_key" ON "video"("owner_id", "idempotency_key");
