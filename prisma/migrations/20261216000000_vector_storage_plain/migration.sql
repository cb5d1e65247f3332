-- issue 15: a 512-d vector is 2,056 bytes, just above Postgres' 2 KB TOAST threshold, so with the
-- type's default storage every embedding was moved out of line: each candidate's distance and each
-- best-window lookup of suggestBgm read a second (TOAST) row through a second index. PLAIN keeps
-- them in the row (three rows to an 8 KB page; vector(512) can never outgrow a page). Rows written
-- before this stay out of line until rewritten (a re-embed, or VACUUM FULL on the table).
ALTER TABLE "track_embedding" ALTER COLUMN "embedding" SET STORAGE PLAIN;
ALTER TABLE "track_segment_embedding" ALTER COLUMN "embedding" SET STORAGE PLAIN;
ALTER TABLE "video_embedding" ALTER COLUMN "embedding" SET STORAGE PLAIN;
