import type { Db } from '../../db/prisma-types';
import type { TrackAnalysis as TrackAnalysisRecord } from '../../generated/prisma/client';
import type { TrackAnalysisFields } from '../../jobs/handlers/track-analysis';

export type { TrackAnalysisRecord };

/** The music analysis of tracks (track_analysis): written by the track job, read by admins. */
/** What a suggestion's cut needs of a track's analysis. */
export interface TrackRhythm {
  trackId: string;
  tempoBpm: number | null;
  downbeats: number[];
}

export interface TrackAnalysisRepository {
  findByTrackId(trackId: string): Promise<TrackAnalysisRecord | null>;
  /** Tempo and downbeats of the tracks that have an analysis (one query for a page of suggestions). */
  findRhythms(trackIds: readonly string[]): Promise<TrackRhythm[]>;
  analyzerVersion(trackId: string): Promise<number | null>;
  /** How much of each track is sung, for the tracks analysed with a vocal detector (the instrumental preference). */
  findVocalPresence(trackIds: readonly string[]): Promise<{ trackId: string; vocalPresence: number | null }[]>;
  upsert(trackId: string, analysis: TrackAnalysisFields): Promise<void>;
}

export class PrismaTrackAnalysisRepository implements TrackAnalysisRepository {
  constructor(private readonly db: Db) {}

  findByTrackId(trackId: string) {
    return this.db.trackAnalysis.findUnique({ where: { trackId } });
  }

  findRhythms(trackIds: readonly string[]) {
    return this.db.trackAnalysis.findMany({
      where: { trackId: { in: [...trackIds] } },
      select: { trackId: true, tempoBpm: true, downbeats: true },
    });
  }

  findVocalPresence(trackIds: readonly string[]) {
    return this.db.trackAnalysis.findMany({
      where: { trackId: { in: [...trackIds] } },
      select: { trackId: true, vocalPresence: true },
    });
  }

  async analyzerVersion(trackId: string) {
    const row = await this.db.trackAnalysis.findUnique({ where: { trackId }, select: { analyzerVersion: true } });
    return row?.analyzerVersion ?? null;
  }

  async upsert(trackId: string, analysis: TrackAnalysisFields) {
    // analyzedAt is set on update too: it says when these values were computed.
    const data = { ...analysis, analyzedAt: new Date() };
    await this.db.trackAnalysis.upsert({ where: { trackId }, create: { trackId, ...data }, update: data });
  }
}
