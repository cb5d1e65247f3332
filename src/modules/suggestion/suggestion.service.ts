import { isAdmin, requirePrincipal, type Principal } from '../../auth/principal';
import { badInput, failedPrecondition, notFound } from '../../common/errors';
import type { LicenseRecord, ModelVersionRecord } from '../../db/prisma-types';
import { checkPageSize } from '../../graphql/page';
import type { CanaryRepository } from '../model-version/canary.repository';
import type { ModelVersionRepository } from '../model-version/model-version.repository';
import type { TrackRepository, TrackWithLicenses } from '../track/track.repository';
import type { VideoService } from '../video/video.service';
import { requireVisibleVideo } from '../video/video-visibility';
import type { EmbeddingRepository } from './embedding.repository';
import { DEFAULT_INSTRUMENTAL, type InstrumentalPreference } from './instrumental-preference';
import { ModelRecordCache } from './model-record-cache';
import { type Soundtrack, type SoundtrackRepositories, soundtrackLoader } from './soundtrack';
import { candidatePool, type RankedTrack } from './rank-tracks';
import type { SuggestionFilter } from './suggestion-filter';
import type { VideoSuggestionRepository } from './video-suggestion.repository';

/** Most suggestions one suggestBgm (or similarTracks) call returns. */
export const MAX_SUGGESTIONS = 50;

export interface Suggestion {
  track: TrackWithLicenses;
  /** Cosine of the video and the track's best window. */
  score: number;
  /** What the list is ordered by: score standardised by the track's scaling (rank-tracks.ts), else score. */
  relevance: number;
  rank: number;
  /** Where in the track the music fits the video best (start of its best 32 s window). */
  startOffsetSec: number;
  /** The license that makes this suggestion valid for the filter. */
  license: LicenseRecord;
}

/** A suggestBgm suggestion: also knows how to cut the track for the video (read on demand). */
export interface VideoSuggestion extends Suggestion {
  /** What moved it from the plain model order (the instrumental preference), in words. */
  reasons: string[];
  /** Subtracted from relevance for the order; 0 when nothing applied. */
  vocalPenalty: number;
  soundtrack: () => Promise<Soundtrack>;
}

function reasonsFor(s: { vocalPenalty: number; vocalPresence: number | null }, voiceCoverage: number | null): string[] {
  // A detector's stray frame in an instrumental track gives a penalty that prints as 0.00: it moved
  // nothing a reader could see, and a reason that says so is noise.
  if (!(s.vocalPenalty >= 0.005)) return [];
  const pct = (x: number | null) => `${Math.round((x ?? 0) * 100)}%`;
  return [
    `ranked down by ${s.vocalPenalty.toFixed(2)} for vocals (heard in ${pct(s.vocalPresence)} of the track) ` +
      `under a voice-over that speaks ${pct(voiceCoverage)} of the time`,
  ];
}

export interface SuggestionList {
  modelVersion: ModelVersionRecord;
  suggestions: VideoSuggestion[];
}

export interface SuggestionRepositories extends SoundtrackRepositories {
  models: Pick<ModelVersionRepository, 'findActive' | 'findById'>;
  embeddings: EmbeddingRepository;
  tracks: Pick<TrackRepository, 'findById' | 'findByIds'>;
  videoSuggestions: VideoSuggestionRepository;
  canaries: Pick<CanaryRepository, 'recordServing'>;
}

/** How one suggestBgm call ended: its time, and the version that ranked its page unless it failed. */
export type SuggestOutcome = { seconds: number } & (
  { failed: false; modelVersion: ModelVersionRecord } | { failed: true }
);

export class SuggestionService {
  private readonly modelRecords: ModelRecordCache;

  constructor(
    private readonly repos: SuggestionRepositories,
    private readonly videos: Pick<VideoService, 'requestEmbedding'>,
    private readonly maxSuggestions: number,
    /** The instrumental preference (AppConfig.instrumental); penalty 0 turns it off. */
    private readonly instrumental: InstrumentalPreference = DEFAULT_INSTRUMENTAL,
    /** Told of every suggestBgm call as it ends (the metrics, start-app.ts). */
    private readonly onSuggest?: (outcome: SuggestOutcome) => void,
  ) {
    this.modelRecords = new ModelRecordCache((id) => this.repos.models.findById(id));
  }

  async suggestBgm(
    principal: Principal | undefined,
    videoId: string,
    first: number,
    filter: SuggestionFilter = {},
  ): Promise<SuggestionList> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const list = await this.rankForVideo(principal, videoId, first, filter);
      this.onSuggest?.({ seconds: seconds(), failed: false, modelVersion: list.modelVersion });
      return list;
    } catch (err) {
      this.onSuggest?.({ seconds: seconds(), failed: true });
      throw err;
    }
  }

  private async rankForVideo(
    principal: Principal | undefined,
    videoId: string,
    first: number,
    filter: SuggestionFilter,
  ): Promise<SuggestionList> {
    checkPageSize(first, this.maxSuggestions);
    checkFilter(filter);
    const caller = requirePrincipal(principal);
    // One statement reads the video, the active version, the query embedding and the ranked page
    // (video-suggestion.sql.ts); the checks below only interpret what it saw.
    const found = await this.repos.videoSuggestions.suggestForVideo({
      videoId,
      callerId: caller.id,
      callerIsAdmin: isAdmin(caller),
      first,
      pool: candidatePool(first),
      filter,
      instrumental:
        filter.preferInstrumental === false || this.instrumental.penalty === 0 ? undefined : this.instrumental,
    });
    const video = requireVisibleVideo(caller, found.video, videoId);
    const { servingModel, canary } = found;
    if (video.status !== 'READY') {
      throw failedPrecondition(
        `Video ${videoId} is ${video.status}${video.error ? `: ${video.error}` : ''}; suggestions need a READY video`,
        {
          status: video.status,
        },
      );
    }
    if (!servingModel) throw failedPrecondition('No active model version');
    const model = await this.modelRecords.get(servingModel.id, servingModel.activatedAt);
    // Deleted between the statement and this read: as if there were none.
    if (!model) throw failedPrecondition('No active model version');
    // A video the canary drew is served by the active version until it has an embedding under the canary.
    if (canary?.picked && canary.id !== servingModel.id) await this.videos.requestEmbedding(videoId, canary.id);
    if (!found.hasEmbedding) {
      // Registered before this version became active: embed it now, lazily, rather than re-embedding every old video.
      await this.videos.requestEmbedding(videoId, model.id);
      throw failedPrecondition(
        `Video ${videoId} is being embedded for the active model ${model.name}@${model.version}; retry shortly`,
        {
          status: 'PROCESSING',
        },
      );
    }
    if (canary) await this.repos.canaries.recordServing(canary.id, videoId, servingModel.id);
    const soundtrack = soundtrackLoader(
      this.repos,
      videoId,
      found.suggestions.map((s) => ({
        trackId: s.track.id,
        trackSec: s.track.durationSec,
        startOffsetSec: s.startOffsetSec,
      })),
    );
    return {
      modelVersion: model,
      suggestions: found.suggestions.map((s, i) => ({
        ...s,
        rank: i + 1,
        reasons: reasonsFor(s, video.voiceCoverage),
        soundtrack: () => soundtrack(s.track.id),
      })),
    };
  }

  /** Tracks that sound like `trackId` under the active model, licensed for the filter. */
  async similarTracks(
    trackId: string,
    first: number,
    filter: SuggestionFilter = {},
  ): Promise<Omit<Suggestion, 'startOffsetSec' | 'relevance'>[]> {
    checkPageSize(first, this.maxSuggestions);
    checkFilter(filter);
    const model = await this.activeModel();
    const vector = await this.repos.embeddings.findTrackEmbedding(trackId, model.id);
    if (!vector) {
      if (!(await this.repos.tracks.findById(trackId))) throw notFound('Track', trackId);
      throw failedPrecondition(`Track ${trackId} has no embedding for the active model yet`);
    }
    const scored = await this.repos.embeddings.nearestTracks(model.id, vector, first, filter, trackId);
    return this.attachTracks(scored.map((s) => ({ ...s, relevance: s.score, startOffsetSec: 0 })));
  }

  private async activeModel(): Promise<ModelVersionRecord> {
    const model = await this.repos.models.findActive();
    if (!model) throw failedPrecondition('No active model version');
    return model;
  }

  private async attachTracks(ranked: RankedTrack[]): Promise<Suggestion[]> {
    const tracks = new Map((await this.repos.tracks.findByIds(ranked.map((s) => s.trackId))).map((t) => [t.id, t]));
    return ranked.flatMap((s, i) => {
      const track = tracks.get(s.trackId);
      const license = track?.licenses.find((l) => l.id === s.licenseId);
      return track && license
        ? [{ track, license, score: s.score, relevance: s.relevance, rank: i + 1, startOffsetSec: s.startOffsetSec }]
        : [];
    });
  }
}

function checkFilter(f: SuggestionFilter): void {
  if (f.bpmMin !== undefined && f.bpmMax !== undefined && f.bpmMin > f.bpmMax) {
    throw badInput('filter.bpmMin must not exceed filter.bpmMax', { argument: 'filter' });
  }
  if (f.loudnessMinLufs !== undefined && f.loudnessMaxLufs !== undefined && f.loudnessMinLufs > f.loudnessMaxLufs) {
    throw badInput('filter.loudnessMinLufs must not exceed filter.loudnessMaxLufs', { argument: 'filter' });
  }
}
