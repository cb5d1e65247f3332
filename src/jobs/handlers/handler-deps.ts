import type { Repositories, UnitOfWork } from '../../db/repositories';
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
}

/** The model version a job embeds for: the one named in its payload, else the active one. */
export async function targetModel(repos: Repositories, modelVersionId: string | undefined): Promise<ModelVersionRecord> {
  const model = modelVersionId ? await repos.models.findById(modelVersionId) : await repos.models.findActive();
  if (model) return model;
  if (modelVersionId) throw new PermanentJobError(`model version ${modelVersionId} does not exist`);
  // No model yet: transient, an admin (or the bundled model's registration) can fix it.
  throw new Error('no active model version to embed with');
}

export function optionalPayloadString(payload: unknown, key: string): string | undefined {
  const v = (payload as Record<string, unknown> | null)?.[key];
  return typeof v === 'string' ? v : undefined;
}
