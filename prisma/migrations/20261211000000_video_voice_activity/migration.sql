-- The voice-over timeline of a video (speech segments and coverage, from Silero VAD in the
-- embed-video job), or why it could not be computed. Null until the job has run.
ALTER TABLE "video" ADD COLUMN "voice_activity" JSONB;
