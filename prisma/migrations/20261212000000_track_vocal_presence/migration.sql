-- Vocal presence of a track (share of it a voice activity model hears as a voice), for the
-- instrumental preference of suggestBgm under a talking voice-over; or why it is unknown.
ALTER TABLE "track_analysis" ADD COLUMN "vocal_presence" DOUBLE PRECISION;
ALTER TABLE "track_analysis" ADD COLUMN "vocal_error" TEXT;
