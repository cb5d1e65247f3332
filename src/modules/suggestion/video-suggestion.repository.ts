import type { LicenseRecord, MediaStatus } from '../../db/prisma-types';
import type { SqlConnection } from '../../db/sql-runner';
import type { TrackWithLicenses } from '../track/track.repository';
import { videoSuggestionSql, type VideoSuggestionQuery } from './video-suggestion.sql';

export type { VideoSuggestionQuery } from './video-suggestion.sql';

export interface RankedSuggestion {
  track: TrackWithLicenses;
  license: LicenseRecord;
  score: number;
  relevance: number;
  startOffsetSec: number;
  /** Subtracted from relevance for the order (the instrumental preference); 0 when it did not apply. */
  vocalPenalty: number;
  /** The track's analysed vocal presence, when known. */
  vocalPresence: number | null;
}

/** What one suggestBgm statement saw: the video, the serving model, and the ranked page. */
export interface VideoSuggestionResult {
  /** Null when the video does not exist. */
  video: {
    id: string;
    ownerId: string;
    status: MediaStatus;
    error: string | null;
    /** Share of the voice-over spent speaking (its timeline), when known. */
    voiceCoverage: number | null;
  } | null;
  /** The version the page is ranked by (the canary's activatedAt is null); null when no version is active. */
  servingModel: { id: string; activatedAt: Date | null } | null;
  /** The running canary, and whether this video falls in its share (served by it once embedded under it). */
  canary: { id: string; picked: boolean } | null;
  /** Whether the video has an embedding under the serving model (and may be read by the caller). */
  hasEmbedding: boolean;
  /** Best first; empty unless the video is READY, the caller's, and embedded under the serving model. */
  suggestions: RankedSuggestion[];
}

export interface VideoSuggestionRepository {
  /** suggestBgm's reads in one round trip (video-suggestion.sql.ts). */
  suggestForVideo(query: VideoSuggestionQuery): Promise<VideoSuggestionResult>;
}

interface Row {
  modelId: string | null;
  modelActivatedAt: Date | string | null;
  canaryId: string | null;
  canaryPicked: boolean;
  videoId: string | null;
  ownerId: string | null;
  status: MediaStatus | null;
  error: string | null;
  hasEmbedding: boolean;
  score: number | null;
  relevance: number | null;
  startSec: number | null;
  licenseId: string | null;
  voiceCoverage: number | null;
  vocalPresence: number | null;
  vocalPenalty: number | null;
  trackId: string | null;
  title: string;
  artist: string;
  durationSec: number | null;
  mediaUri: string;
  contentHash: string;
  tags: string[];
  moods: string[];
  bpm: number | null;
  trackStatus: MediaStatus;
  trackError: string | null;
  retiredAt: Date | string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
  /** json_agg: pg parses it, PGlite may hand back the text. */
  licenses: LicenseJson[] | string | null;
}

type LicenseJson = Omit<LicenseRecord, 'validFrom' | 'validTo' | 'createdAt'> & {
  validFrom: string;
  validTo: string | null;
  createdAt: string;
};

const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const dateOrNull = (v: Date | string | null) => (v === null ? null : date(v));

function licensesOf(row: Row): LicenseRecord[] {
  const raw = typeof row.licenses === 'string' ? (JSON.parse(row.licenses) as LicenseJson[]) : (row.licenses ?? []);
  return raw.map((l) => ({
    ...l,
    validFrom: date(l.validFrom),
    validTo: dateOrNull(l.validTo),
    createdAt: date(l.createdAt),
  }));
}

function trackOf(row: Row & { trackId: string }): TrackWithLicenses {
  return {
    id: row.trackId,
    title: row.title,
    artist: row.artist,
    durationSec: row.durationSec === null ? null : Number(row.durationSec),
    mediaUri: row.mediaUri,
    contentHash: row.contentHash,
    tags: row.tags,
    moods: row.moods,
    bpm: row.bpm === null ? null : Number(row.bpm),
    status: row.trackStatus,
    error: row.trackError,
    retiredAt: dateOrNull(row.retiredAt),
    createdAt: date(row.createdAt),
    updatedAt: date(row.updatedAt),
    licenses: licensesOf(row),
  };
}

/** Raw SQL over the database seam's own connection (pg pool or PGlite): no ORM on the hot path. */
export class SqlVideoSuggestionRepository implements VideoSuggestionRepository {
  constructor(private readonly sql: Pick<SqlConnection, 'query'>) {}

  async suggestForVideo(query: VideoSuggestionQuery): Promise<VideoSuggestionResult> {
    const statement = videoSuggestionSql(query);
    const rows = await this.sql.query<Row>(statement.text, statement.values, { prepare: true });
    const head = rows[0];
    if (!head) throw new Error('the suggestion statement returned no header row');
    const suggestions = rows.flatMap((row): RankedSuggestion[] => {
      if (row.trackId === null) return [];
      const track = trackOf({ ...row, trackId: row.trackId });
      const license = track.licenses.find((l) => l.id === row.licenseId);
      if (!license) throw new Error(`the suggestion statement returned a license not of track ${track.id}`);
      return [
        {
          track,
          license,
          score: Number(row.score),
          relevance: Number(row.relevance),
          startOffsetSec: Number(row.startSec),
          vocalPenalty: Number(row.vocalPenalty ?? 0),
          vocalPresence: row.vocalPresence === null ? null : Number(row.vocalPresence),
        },
      ];
    });
    return {
      video:
        head.videoId === null
          ? null
          : {
              id: head.videoId,
              ownerId: head.ownerId!,
              status: head.status!,
              error: head.error,
              voiceCoverage: head.voiceCoverage === null ? null : Number(head.voiceCoverage),
            },
      servingModel: head.modelId === null ? null : { id: head.modelId, activatedAt: dateOrNull(head.modelActivatedAt) },
      canary: head.canaryId === null ? null : { id: head.canaryId, picked: head.canaryPicked },
      hasEmbedding: head.hasEmbedding,
      suggestions,
    };
  }
}
