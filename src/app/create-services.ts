import type { Logger } from '../common/logger';
import type { AppConfig } from '../config/config';
import type { UnitOfWork } from '../db/unit-of-work';
import type { Repositories } from './repositories';
import { ChoiceService } from '../modules/choice/choice.service';
import { ExperimentService } from '../modules/experiment/experiment.service';
import { PreferenceService } from '../modules/experiment/preference.service';
import { PreviewLinks } from '../modules/experiment/preview-links';
import { IngestService } from '../modules/ingest/ingest.service';
import { JobService } from '../jobs/admin/job-admin.service';
import { CatalogAdminService } from '../modules/license/license.service';
import { ModelVersionService } from '../modules/model-version/model-version.service';
import { SuggestionService } from '../modules/suggestion/suggestion.service';
import { TrackService } from '../modules/track/track.service';
import { VideoService } from '../modules/video/video.service';
import type { MediaStorage } from '../storage/media-storage';

export interface Services {
  tracks: TrackService;
  ingest: IngestService;
  videos: VideoService;
  suggestions: SuggestionService;
  models: ModelVersionService;
  jobs: JobService;
  catalog: CatalogAdminService;
  experiments: ExperimentService;
  preferences: PreferenceService;
  choices: ChoiceService;
}

/** Most suggestions one suggestBgm call returns. */
export const MAX_SUGGESTIONS = 50;

export function createServices(deps: {
  repos: Repositories;
  uow: UnitOfWork<Repositories>;
  storage: MediaStorage;
  limits: AppConfig['limits'];
  onEnqueued: () => void;
  logger: Logger;
}): Services {
  const { repos, uow, storage, limits, onEnqueued, logger } = deps;
  const videos = new VideoService(repos, uow, storage, onEnqueued, limits.maxPageSize);
  return {
    tracks: new TrackService(repos.tracks, limits.maxPageSize),
    ingest: new IngestService(uow, storage, limits.maxBatchSize, onEnqueued),
    videos,
    suggestions: new SuggestionService(repos, videos, Math.min(MAX_SUGGESTIONS, limits.maxPageSize)),
    models: new ModelVersionService(repos.models, uow, onEnqueued, logger),
    catalog: new CatalogAdminService(repos.tracks, repos.licenses),
    jobs: new JobService(repos.jobs, uow, limits.maxPageSize, onEnqueued),
    experiments: new ExperimentService(repos, limits.maxPageSize),
    // Preview links get their key from the HTTP layer that serves them (http/rater/rater-routes.ts).
    preferences: new PreferenceService(repos, uow, new PreviewLinks(), storage),
    choices: new ChoiceService(repos, limits.maxPageSize),
  };
}
