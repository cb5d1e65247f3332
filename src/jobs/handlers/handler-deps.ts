import type { Repositories, UnitOfWork } from '../../app/repositories';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { Embedder } from '../../inference/embedder';
import type { ModelStore } from '../../modules/model-version/model-store';
import type { MediaStorage } from '../../storage/media-storage';
import { PermanentJobError } from '../job-handler';

export interface MediaLimits {
  maxMediaBytes: number;
  maxTrackSeconds: number;
  maxVideoSeconds: number;
  minMediaSeconds: number;
}

/** What the embedding handlers need; everything is a seam, so they run the same in both modes. */
export interface HandlerDeps {
  repos: Repositories;
  uow: UnitOfWork;
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
  repos: Repositories,
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
