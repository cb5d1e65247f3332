import type { Db } from '../../db/prisma-types';

/** Per version that served a canary's videos: how many videos, and how many suggestBgm calls. */
export interface ServedCounts {
  versionId: string;
  videos: number;
  requests: number;
}

/** Per version, the choices made on it during the canary, counted by the rank the app reported. */
export interface ChoiceCounts {
  versionId: string;
  /** Null: the app did not say where in the list the track was. */
  rank: number | null;
  choices: number;
}

export interface CanaryRepository {
  /** One suggestBgm served while `canaryId` ran: counted per (canary, video, serving version). */
  recordServing(canaryId: string, videoId: string, servedVersionId: string): Promise<void>;
  servedCounts(canaryId: string): Promise<ServedCounts[]>;
  choiceCounts(canaryId: string): Promise<ChoiceCounts[]>;
  /** Videos that chose a track on each arm (a video with several choices counts once per arm). */
  videosWithChoice(canaryId: string): Promise<{ versionId: string; videos: number }[]>;
}

export class PrismaCanaryRepository implements CanaryRepository {
  constructor(private readonly db: Db) {}

  async recordServing(canaryId: string, videoId: string, servedVersionId: string) {
    // An upsert on the video's own row: concurrent videos never contend, and a row per video is
    // the table's bound (a log per request would grow with traffic).
    await this.db.$executeRaw`
      INSERT INTO canary_serving (canary_version_id, video_id, served_version_id, requests)
      VALUES (${canaryId}::uuid, ${videoId}::uuid, ${servedVersionId}::uuid, 1)
      ON CONFLICT (canary_version_id, video_id, served_version_id)
      DO UPDATE SET requests = canary_serving.requests + 1, last_served_at = now()`;
  }

  servedCounts(canaryId: string) {
    return this.db.$queryRaw<ServedCounts[]>`
      SELECT served_version_id::text AS "versionId", count(*)::int AS videos, sum(requests)::int AS requests
      FROM canary_serving WHERE canary_version_id = ${canaryId}::uuid
      GROUP BY served_version_id`;
  }

  choiceCounts(canaryId: string) {
    return this.db.$queryRaw<ChoiceCounts[]>`
      SELECT served_version_id::text AS "versionId", rank, count(*)::int AS choices
      FROM bgm_choice
      WHERE canary_version_id = ${canaryId}::uuid AND served_version_id IS NOT NULL
      GROUP BY served_version_id, rank`;
  }

  videosWithChoice(canaryId: string) {
    return this.db.$queryRaw<{ versionId: string; videos: number }[]>`
      SELECT served_version_id::text AS "versionId", count(DISTINCT video_id)::int AS videos
      FROM bgm_choice
      WHERE canary_version_id = ${canaryId}::uuid AND served_version_id IS NOT NULL
      GROUP BY served_version_id`;
  }
}
