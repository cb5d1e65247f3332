import fs from 'node:fs';
import type { Logger } from '../../common/logger';
import type { AppConfig } from '../../config/config';
import type { UnitOfWork } from '../../app/repositories';
import type { ModelVersionRecord } from '../../db/prisma-types';
import { registerModelFolder } from './model-registration';
import { BUNDLED_MODEL_DIR } from './model-store';

/** Registers MODEL_DIR, else the bundled model when the repository ships one. */
export async function bootstrapModel(
  config: AppConfig,
  uow: UnitOfWork,
  logger: Logger,
): Promise<ModelVersionRecord | undefined> {
  const dir = config.modelDir ?? (fs.existsSync(BUNDLED_MODEL_DIR()) ? BUNDLED_MODEL_DIR() : undefined);
  if (!dir) {
    logger.warn('no model folder (MODEL_DIR unset and no bundled model): embedding jobs wait for a model version');
    return undefined;
  }
  const model = await registerModelFolder(uow, dir, logger);
  logger.info({ model: `${model.name}@${model.version}`, active: model.active, dir }, 'model version registered');
  return model;
}
