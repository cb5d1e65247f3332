import type { Db } from '../../db/prisma-types';

/** A positive (video, music) pair the platform collected: a creator's choice or a rater's vote. */
export interface TrainingPair {
  /** The choice's or the vote's id. */
  id: string;
  source: 'choice' | 'vote';
  videoId: string;
  trackId: string;
  /** Where in the track the music starts; null when the app did not say (a choice) */
  startSec: number | null;
  createdAt: Date;
  video: { mediaUri: string; voiceOverUri: string | null; durationSec: number | null };
  track: { mediaUri: string; title: string; artist: string; durationSec: number | null };
}

export interface TrainingPairRepository {
  /**
   * Every pair over a READY video and a READY live (not retired) track, oldest first: creators'
   * choices, and rater votes for one side of an A/B task (the side's track and start offset).
   * Deleted videos are gone with their choices and tasks, so they never appear.
   */
  listPairs(): Promise<TrainingPair[]>;
}

interface Row {
  id: string;
  source: 'choice' | 'vote';
  video_id: string;
  track_id: string;
  start_sec: number | null;
  created_at: Date;
  video_uri: string;
  voice_over_uri: string | null;
  video_sec: number | null;
  track_uri: string;
  title: string;
  artist: string;
  track_sec: number | null;
}

export class PrismaTrainingPairRepository implements TrainingPairRepository {
  constructor(private readonly db: Db) {}

  async listPairs(): Promise<TrainingPair[]> {
    const rows = await this.db.$queryRaw<Row[]>`
      WITH pairs AS (
        SELECT c.id, 'choice' AS source, c.video_id, c.track_id, c.start_sec, c.created_at
        FROM bgm_choice c
        UNION ALL
        SELECT pv.id, 'vote', pt.video_id,
               CASE WHEN (pv.choice = 'A') = pt.first_is_a THEN pt.first_track_id ELSE pt.second_track_id END,
               CASE WHEN (pv.choice = 'A') = pt.first_is_a THEN pt.first_start_sec ELSE pt.second_start_sec END,
               pv.created_at
        FROM preference_vote pv JOIN preference_task pt ON pt.id = pv.task_id
        WHERE pv.choice <> 'NEUTRAL'
      )
      SELECT p.id::text, p.source, p.video_id::text, p.track_id::text, p.start_sec, p.created_at,
             v.media_uri AS video_uri, v.voice_over_uri, v.duration_sec AS video_sec,
             t.media_uri AS track_uri, t.title, t.artist, t.duration_sec AS track_sec
      FROM pairs p
      JOIN video v ON v.id = p.video_id AND v.status = 'READY'
      JOIN track t ON t.id = p.track_id AND t.status = 'READY' AND t.retired_at IS NULL
      ORDER BY p.created_at, p.id`;
    return rows.map((r) => ({
      id: r.id,
      source: r.source,
      videoId: r.video_id,
      trackId: r.track_id,
      startSec: r.start_sec,
      createdAt: r.created_at,
      video: { mediaUri: r.video_uri, voiceOverUri: r.voice_over_uri, durationSec: r.video_sec },
      track: { mediaUri: r.track_uri, title: r.title, artist: r.artist, durationSec: r.track_sec },
    }));
  }
}
