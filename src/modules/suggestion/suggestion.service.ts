import type { Principal } from '../../auth/principal';
import { failedPrecondition } from '../../common/errors';
import type { Repositories } from '../../db/repositories';
import type { ModelVersionRecord } from '../../db/prisma-types';
import { checkPageSize } from '../common/page';
import type { TrackWithLicenses } from '../track/track.repository';
import type { VideoService } from '../video/video.service';

export interface Suggestion {
  track: TrackWithLicenses;
  score: number;
  rank: number;
}

export interface SuggestionList {
  modelVersion: ModelVersionRecord;
  suggestions: Suggestion[];
}

export class SuggestionService {
  constructor(
    private readonly repos: Pick<Repositories, 'models' | 'embeddings' | 'tracks'>,
    private readonly videos: VideoService,
    private readonly maxSuggestions: number,
  ) {}

  async suggestBgm(principal: Principal | undefined, videoId: string, first: number): Promise<SuggestionList> {
    checkPageSize(first, this.maxSuggestions);
    const video = await this.videos.getVideo(principal, videoId);
    if (video.status !== 'READY') {
      throw failedPrecondition(`Video ${videoId} is ${video.status}${video.error ? `: ${video.error}` : ''}; suggestions need a READY video`, {
        status: video.status,
      });
    }
    const model = await this.repos.models.findActive();
    if (!model) throw failedPrecondition('No active model version');
    const query = await this.repos.embeddings.findVideoEmbedding(videoId, model.id);
    if (!query) {
      throw failedPrecondition(`Video ${videoId} has no embedding for the active model ${model.name}@${model.version} yet`, {
        status: 'PROCESSING',
      });
    }
    const scored = await this.repos.embeddings.nearestTracks(model.id, query, first);
    const tracks = new Map((await this.repos.tracks.findByIds(scored.map((s) => s.trackId))).map((t) => [t.id, t]));
    const suggestions = scored.flatMap((s, i) => {
      const track = tracks.get(s.trackId);
      return track ? [{ track, score: s.score, rank: i + 1 }] : [];
    });
    return { modelVersion: model, suggestions };
  }
}
