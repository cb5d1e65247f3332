import type { ModelVersionRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import type { Embedder } from '../../inference/embedder';
import type { ModelStore } from '../../modules/model-version/model-store';
import type { ModelVersionRepository } from '../../modules/model-version/model-version.repository';
import type { EmbeddingRepository } from '../../modules/suggestion/embedding.repository';
import type { TrackRepository } from '../../modules/track/track.repository';
import type { VideoRepository } from '../../modules/video/video.repository';
import type { MediaStorage } from '../../storage/media-storage';
import type { JobRepository } from '../job.repository';
import { PermanentJobError } from '../job-handler';

export interface MediaLimits {
  maxMediaBytes: number;
  maxTrackSeconds: number;
  maxVideoSeconds: number;
  minMediaSeconds: number;
}

/** The repositories the handlers read and write (outside and inside their transactions). */
export interface HandlerRepositories {
  tracks: TrackRepository;
  videos: VideoRepository;
  models: ModelVersionRepository;
  embeddings: EmbeddingRepository;
  jobs: JobRepository;
}

/** What the embedding handlers need; everything is a seam, so they run the same in both modes. */
export interface HandlerDeps {
  repos: HandlerRepositories;
  uow: UnitOfWork<HandlerRepositories>;
  storage: MediaStorage;
  embedder: Embedder;
  models: ModelStore;
  limits: MediaLimits;
  /** Called after media was embedded for a version that is waiting to become active. */
  onPendingModelEmbedded: (modelVersionId: string) => Promise<void>;
}

/**
 * The model versions a job embeds for: the one named in its payload, else the active one and any
 * version waiting to become active (so new media is covered by both during a roll-out).
 */
export async function targetModels(
  repos: { models: Pick<ModelVersionRepository, 'findById' | 'findActive' | 'findPending'> },
  modelVersionId: string | undefined,
): Promise<ModelVersionRecord[]> {
  if (modelVersionId) {
    const model = await repos.models.findById(modelVersionId);
    if (!model) throw new PermanentJobError(`model version ${modelVersionId} does not exist`);
    return [model];
  }
  const models = [await repos.models.findActive(), ...(await repos.models.findPending())].filter((m) => m !== null);
  // No model yet: transient, an admin (or the bundled model's registration) can fix it.
  if (models.length === 0) throw new Error('no active model version to embed with');
  return models;
}

export function optionalPayloadString(payload: unknown, key: string): string | undefined {
  const v = (payload as Record<string, unknown> | null)?.[key];
  return typeof v === 'string' ? v : undefined;
}
