import type { AppConfig } from './config/config';
import type { Repositories, UnitOfWork } from './db/repositories';
import { IngestService } from './modules/ingest/ingest.service';
import { JobService } from './modules/job/job.service';
import { ModelVersionService } from './modules/model-version/model-version.service';
import { SuggestionService } from './modules/suggestion/suggestion.service';
import { TrackService } from './modules/track/track.service';
import { VideoService } from './modules/video/video.service';
import type { MediaStorage } from './storage/media-storage';

export interface Services {
  tracks: TrackService;
  ingest: IngestService;
  videos: VideoService;
  suggestions: SuggestionService;
  models: ModelVersionService;
  jobs: JobService;
}

/** Most suggestions one suggestBgm call returns. */
export const MAX_SUGGESTIONS = 50;

export function createServices(deps: {
  repos: Repositories;
  uow: UnitOfWork;
  storage: MediaStorage;
  limits: AppConfig['limits'];
  onEnqueued: () => void;
}): Services {
  const { repos, uow, storage, limits, onEnqueued } = deps;
  const videos = new VideoService(repos, uow, storage, onEnqueued);
  return {
    tracks: new TrackService(repos.tracks, limits.maxPageSize),
    ingest: new IngestService(uow, storage, limits.maxBatchSize, onEnqueued),
    videos,
    suggestions: new SuggestionService(repos, videos, Math.min(MAX_SUGGESTIONS, limits.maxPageSize)),
    models: new ModelVersionService(repos.models),
    jobs: new JobService(repos.jobs, uow, limits.maxPageSize, onEnqueued),
  };
}
