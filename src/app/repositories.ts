import type { Db } from '../db/prisma-types';
import type { SqlConnection } from '../db/sql-runner';
import type { UnitOfWork } from '../db/unit-of-work';
import type { PrismaClient } from '../generated/prisma/client';
import { PrismaJobRepository, type JobRepository } from '../jobs/job.repository';
import { PrismaOutboxRepository, type OutboxRepository } from '../jobs/outbox.repository';
import { PrismaTrainingPairRepository, type TrainingPairRepository } from '../modules/choice/training-pairs.repository';
import { PrismaChoiceRepository, type ChoiceRepository } from '../modules/choice/choice.repository';
import { PrismaExperimentRepository, type ExperimentRepository } from '../modules/experiment/experiment.repository';
import { PrismaPreferenceRepository, type PreferenceRepository } from '../modules/experiment/preference.repository';
import { PrismaTrackPoolRepository, type TrackPoolRepository } from '../modules/experiment/track-pool.repository';
import { PrismaLicenseRepository, type LicenseRepository } from '../modules/license/license.repository';
import { PrismaCanaryRepository, type CanaryRepository } from '../modules/model-version/canary.repository';
import {
  PrismaModelVersionRepository,
  type ModelVersionRepository,
} from '../modules/model-version/model-version.repository';
import {
  PrismaPreviewRenderRepository,
  type PreviewRenderRepository,
} from '../modules/preview-render/preview-render.repository';
import { PgvectorEmbeddingRepository, type EmbeddingRepository } from '../modules/suggestion/embedding.repository';
import { CachedVideoSuggestionRepository, type SuggestionCacheOptions } from '../modules/suggestion/suggestion-cache';
import type { CandidateIndex } from '../modules/suggestion/candidates/candidate-index';
import {
  type CandidateSource,
  IndexedVideoSuggestionRepository,
} from '../modules/suggestion/indexed-video-suggestion.repository';
import { SqlSuggestionFreshness } from '../modules/suggestion/suggestion-freshness';
import {
  SqlVideoSuggestionRepository,
  type VideoSuggestionRepository,
} from '../modules/suggestion/video-suggestion.repository';
import { PrismaTrackRepository, type TrackRepository } from '../modules/track/track.repository';
import {
  PrismaTrackAnalysisRepository,
  type TrackAnalysisRepository,
} from '../modules/track/track-analysis.repository';
import { PrismaUploadRepository, type UploadRepository } from '../modules/video/upload.repository';
import { PrismaVideoRepository, type VideoRepository } from '../modules/video/video.repository';

/** Every repository, by name. Services and handlers take the slice they use; this satisfies each. */
export interface Repositories {
  tracks: TrackRepository;
  analyses: TrackAnalysisRepository;
  licenses: LicenseRepository;
  videos: VideoRepository;
  uploads: UploadRepository;
  jobs: JobRepository;
  outbox: OutboxRepository;
  models: ModelVersionRepository;
  canaries: CanaryRepository;
  embeddings: EmbeddingRepository;
  videoSuggestions: VideoSuggestionRepository;
  experiments: ExperimentRepository;
  preferences: PreferenceRepository;
  trackPool: TrackPoolRepository;
  choices: ChoiceRepository;
  trainingPairs: TrainingPairRepository;
  renders: PreviewRenderRepository;
}

export interface RepositoryOptions {
  /** Attempt budget given to new jobs. */
  jobMaxAttempts?: number;
  /**
   * The database's own connection (Database.sql) for the raw-SQL hot path (suggestBgm); without
   * it those queries go through Prisma's raw query API on `db`.
   */
  sql?: Pick<SqlConnection, 'query'>;
  /**
   * suggestBgm's answers kept in memory while nothing they were ranked from changed
   * (suggestion-cache.ts); absent or 0 entries: every call runs the statement. Never inside a
   * transaction (prismaUnitOfWork leaves it out).
   */
  suggestionCache?: SuggestionCacheOptions;
  /**
   * suggestBgm's candidates from an in-process index when it is current (candidate-index.ts), the
   * statement then running on `genericPlanSql` (Database.genericPlanSql). Needs `sql`; never inside
   * a transaction.
   */
  candidates?: {
    index: CandidateIndex;
    genericPlanSql: Pick<SqlConnection, 'query'>;
    onSource?: (source: CandidateSource) => void;
  };
}

function videoSuggestions(
  sql: Pick<SqlConnection, 'query'>,
  options: Pick<RepositoryOptions, 'suggestionCache' | 'candidates'>,
): VideoSuggestionRepository {
  const { suggestionCache: cache, candidates } = options;
  const walk = new SqlVideoSuggestionRepository(sql);
  const statement = candidates
    ? new IndexedVideoSuggestionRepository(
        walk,
        new SqlVideoSuggestionRepository(candidates.genericPlanSql),
        sql,
        candidates.index,
        candidates.onSource,
      )
    : walk;
  if (!cache || cache.maxSuggestions <= 0) return statement;
  return new CachedVideoSuggestionRepository(statement, new SqlSuggestionFreshness(sql), cache);
}

export function createRepositories(db: Db, options: RepositoryOptions = {}): Repositories {
  return {
    tracks: new PrismaTrackRepository(db),
    analyses: new PrismaTrackAnalysisRepository(db),
    licenses: new PrismaLicenseRepository(db),
    videos: new PrismaVideoRepository(db),
    uploads: new PrismaUploadRepository(db),
    jobs: new PrismaJobRepository(db, options.jobMaxAttempts),
    outbox: new PrismaOutboxRepository(db),
    models: new PrismaModelVersionRepository(db),
    canaries: new PrismaCanaryRepository(db),
    embeddings: new PgvectorEmbeddingRepository(db),
    videoSuggestions: options.sql
      ? videoSuggestions(options.sql, options)
      : videoSuggestions(prismaSql(db), { suggestionCache: options.suggestionCache }),
    experiments: new PrismaExperimentRepository(db),
    preferences: new PrismaPreferenceRepository(db),
    trackPool: new PrismaTrackPoolRepository(db),
    choices: new PrismaChoiceRepository(db),
    trainingPairs: new PrismaTrainingPairRepository(db),
    renders: new PrismaPreviewRenderRepository(db),
  };
}

const prismaSql = (db: Db): Pick<SqlConnection, 'query'> => ({
  query: <T>(text: string, params: unknown[] = []) => db.$queryRawUnsafe<T[]>(text, ...params),
});

/** Each run gets the whole registry bound to one Prisma interactive transaction. */
export function prismaUnitOfWork(prisma: PrismaClient, options: RepositoryOptions = {}): UnitOfWork<Repositories> {
  return {
    run: (fn) =>
      prisma.$transaction(
        (tx) =>
          fn(createRepositories(tx, { ...options, sql: undefined, suggestionCache: undefined, candidates: undefined })),
        { timeout: 30_000 },
      ),
  };
}
