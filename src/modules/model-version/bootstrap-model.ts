import fs from 'node:fs';
import type { Logger } from '../../common/logger';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import { registerModelFolder } from './model-registration';
import { BUNDLED_MODEL_DIR } from './model-store';
import type { ModelVersionRepository } from './model-version.repository';
import type { ModelObjectStore } from './stored-model-folder';

/**
 * Registers `modelDir` (MODEL_DIR), else the bundled model when the repository ships one; with
 * `store` (MEDIA_STORE=s3) a new version's files are uploaded to it (model-registration.ts).
 */
export async function bootstrapModel(
  modelDir: string | undefined,
  uow: UnitOfWork<{ models: ModelVersionRepository }>,
  logger: Logger,
  store?: Pick<ModelObjectStore, 'putFile'>,
): Promise<ModelVersionRecord | undefined> {
  const dir = modelDir ?? (fs.existsSync(BUNDLED_MODEL_DIR()) ? BUNDLED_MODEL_DIR() : undefined);
  if (!dir) {
    logger.warn('no model folder (MODEL_DIR unset and no bundled model): embedding jobs wait for a model version');
    return undefined;
  }
  const model = await registerModelFolder(uow, dir, logger, store);
  logger.info({ model: `${model.name}@${model.version}`, active: model.active, dir }, 'model version registered');
  return model;
}
