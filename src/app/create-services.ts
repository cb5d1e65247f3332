import type { Logger } from '../common/logger';
import type { AppConfig } from '../config/config';
import type { UnitOfWork } from '../db/unit-of-work';
import { JobAdminService } from '../jobs/admin/job-admin.service';
import { ChoiceService } from '../modules/choice/choice.service';
import { ExperimentService } from '../modules/experiment/experiment.service';
import { PreferenceService } from '../modules/experiment/preference.service';
import type { PreviewLinks } from '../modules/experiment/preview-links';
import { IngestService } from '../modules/ingest/ingest.service';
import { LicenseService } from '../modules/license/license.service';
import { PreviewRenderService } from '../modules/preview-render/preview-render.service';
import type { RenderLinks } from '../modules/preview-render/render-links';
import { ModelCanaryService } from '../modules/model-version/model-canary';
import { ModelGateService } from '../modules/model-version/model-gate';
import { ModelRegistryService } from '../modules/model-version/model-registry.service';
import { ModelVersionService } from '../modules/model-version/model-version.service';
import { MAX_SUGGESTIONS, type SuggestOutcome, SuggestionService } from '../modules/suggestion/suggestion.service';
import { vocalPenaltiesFor } from '../modules/suggestion/instrumental-preference';
import { TrackService } from '../modules/track/track.service';
import { UploadService } from '../modules/video/upload.service';
import { VideoService } from '../modules/video/video.service';
import type { MediaStorage } from '../storage/media-storage';
import type { Repositories } from './repositories';

/** How long a previewRender URL plays (a new query signs a new one). */
const RENDER_LINK_TTL_SEC = 3600;

export interface Services {
  tracks: TrackService;
  ingest: IngestService;
  videos: VideoService;
  uploads: UploadService;
  suggestions: SuggestionService;
  models: ModelVersionService;
  registry: ModelRegistryService;
  gate: ModelGateService;
  canary: ModelCanaryService;
  jobs: JobAdminService;
  licenses: LicenseService;
  experiments: ExperimentService;
  preferences: PreferenceService;
  choices: ChoiceService;
  renders: PreviewRenderService;
}

export function createServices(deps: {
  repos: Repositories;
  uow: UnitOfWork<Repositories>;
  storage: MediaStorage;
  limits: AppConfig['limits'];
  uploads: AppConfig['uploads'];
  instrumental: AppConfig['instrumental'];
  onEnqueued: () => void;
  logger: Logger;
  /** Signs the rater previews of the tasks served (keyed only where the previews are served). */
  previewLinks: PreviewLinks;
  /** Signs the URLs of preview renders (keyed only where they are served). */
  renderLinks: RenderLinks;
  previewRender: AppConfig['previewRender'];
  /** Told of every suggestBgm call as it ends (the metrics). */
  onSuggest?: (outcome: SuggestOutcome) => void;
}): Services {
  const { repos, uow, storage, limits, onEnqueued, logger } = deps;
  const videos = new VideoService(repos, uow, storage, onEnqueued, limits.maxPageSize);
  return {
    tracks: new TrackService(repos.tracks, limits.maxPageSize, repos.analyses),
    ingest: new IngestService(uow, storage, limits.maxBatchSize, onEnqueued),
    videos,
    uploads: new UploadService(uow, storage, { ...deps.uploads, maxMediaBytes: limits.maxMediaBytes }, logger),
    suggestions: new SuggestionService(
      repos,
      videos,
      Math.min(MAX_SUGGESTIONS, limits.maxPageSize),
      deps.instrumental,
      deps.onSuggest,
    ),
    models: new ModelVersionService(repos.models, uow, onEnqueued, logger),
    registry: new ModelRegistryService(uow, storage, onEnqueued, logger),
    gate: new ModelGateService(uow, repos.trainingPairs, onEnqueued, logger),
    canary: new ModelCanaryService(uow, logger),
    licenses: new LicenseService(repos.tracks, repos.licenses),
    jobs: new JobAdminService(repos.jobs, uow, limits.maxPageSize, onEnqueued),
    experiments: new ExperimentService(repos, limits.maxPageSize),
    preferences: new PreferenceService(repos, uow, deps.previewLinks, {
      vocalPenalties: (videoId) => vocalPenaltiesFor(repos, deps.instrumental, videoId),
    }),
    choices: new ChoiceService(repos, limits.maxPageSize),
    renders: new PreviewRenderService(
      repos,
      uow,
      deps.renderLinks,
      { ...deps.previewRender, linkTtlSec: RENDER_LINK_TTL_SEC },
      onEnqueued,
    ),
  };
}
