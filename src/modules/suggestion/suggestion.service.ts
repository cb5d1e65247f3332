import type { Principal } from '../../auth/principal';
import { badInput, failedPrecondition, notFound } from '../../common/errors';
import type { LicenseRecord, ModelVersionRecord } from '../../db/prisma-types';
import { checkPageSize } from '../../graphql/page';
import type { ModelVersionRepository } from '../model-version/model-version.repository';
import type { TrackRepository, TrackWithLicenses } from '../track/track.repository';
import type { VideoService } from '../video/video.service';
import type { EmbeddingRepository } from './embedding.repository';
import { rankTracks, type RankedTrack } from './rank-tracks';
import type { SuggestionFilter } from './suggestion-filter';

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

export interface SuggestionList {
  modelVersion: ModelVersionRecord;
  suggestions: Suggestion[];
}

export interface SuggestionRepositories {
  models: Pick<ModelVersionRepository, 'findActive'>;
  embeddings: EmbeddingRepository;
  tracks: Pick<TrackRepository, 'findById' | 'findByIds'>;
}

export class SuggestionService {
  constructor(
    private readonly repos: SuggestionRepositories,
    private readonly videos: Pick<VideoService, 'getVideo' | 'requestEmbedding'>,
    private readonly maxSuggestions: number,
  ) {}

  async suggestBgm(
    principal: Principal | undefined,
    videoId: string,
    first: number,
    filter: SuggestionFilter = {},
  ): Promise<SuggestionList> {
    checkPageSize(first, this.maxSuggestions);
    checkFilter(filter);
    const video = await this.videos.getVideo(principal, videoId);
    if (video.status !== 'READY') {
      throw failedPrecondition(
        `Video ${videoId} is ${video.status}${video.error ? `: ${video.error}` : ''}; suggestions need a READY video`,
        {
          status: video.status,
        },
      );
    }
    const model = await this.activeModel();
    const query = await this.repos.embeddings.findVideoEmbedding(videoId, model.id);
    if (!query) {
      // Registered before this version became active: embed it now, lazily, rather than re-embedding every old video.
      await this.videos.requestEmbedding(videoId, model.id);
      throw failedPrecondition(
        `Video ${videoId} is being embedded for the active model ${model.name}@${model.version}; retry shortly`,
        {
          status: 'PROCESSING',
        },
      );
    }
    const ranked = await rankTracks(this.repos.embeddings, model.id, query, first, filter);
    return { modelVersion: model, suggestions: await this.attachTracks(ranked) };
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
}
