-- Music analysis per track (docs/MUSIC_ANALYSIS.md): tempo, beats, downbeats, an energy curve and
-- EBU R128 loudness. One row per analysed track; each part has its own error column, since either
-- may fail without the other and without failing the track.
CREATE TABLE "track_analysis" (
    "track_id" UUID NOT NULL,
    "analyzer_version" INTEGER NOT NULL,
    "tempo_bpm" DOUBLE PRECISION,
    "beats" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[],
    "downbeats" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[],
    "energy_hop_sec" DOUBLE PRECISION,
    "energy_db" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[],
    "rhythm_error" TEXT,
    "loudness_lufs" DOUBLE PRECISION,
    "true_peak_dbtp" DOUBLE PRECISION,
    "loudness_range_lu" DOUBLE PRECISION,
    "loudness_error" TEXT,
    "analyzed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "track_analysis_pkey" PRIMARY KEY ("track_id")
);

CREATE INDEX "track_analysis_tempo_bpm_idx" ON "track_analysis"("tempo_bpm");
CREATE INDEX "track_analysis_loudness_lufs_idx" ON "track_analysis"("loudness_lufs");

ALTER TABLE "track_analysis" ADD CONSTRAINT "track_analysis_track_id_fkey"
  FOREIGN KEY ("track_id") REFERENCES "track"("id") ON DELETE CASCADE ON UPDATE CASCADE;
