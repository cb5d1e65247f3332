-- deleteVideo: find what a video left behind without scanning the job table or the catalog.
-- Its jobs that are not SUCCEEDED (those are pruned by retention): an expression index Prisma
-- cannot declare, so it lives here only.
CREATE INDEX "job_unfinished_video_id_idx" ON "job"(("payload"->>'videoId')) WHERE "status" <> 'SUCCEEDED';
-- Whether another video or a track still uses a stored file before it is removed.
CREATE INDEX "video_media_uri_idx" ON "video"("media_uri");
CREATE INDEX "video_voice_over_uri_idx" ON "video"("voice_over_uri");
CREATE INDEX "track_media_uri_idx" ON "track"("media_uri");
