import type { Logger } from '../../common/logger';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import { readModelFolder } from '../../inference/model-manifest';
import { artifactUriFor } from './model-store';
import type { ModelVersionRepository } from './model-version.repository';

/**
 * Registers a model-version folder (idempotent on name + version) and makes it active when no
 * version is active yet, so a fresh installation can suggest as soon as its catalog is embedded.
 */
export async function registerModelFolder(
  uow: UnitOfWork<{ models: ModelVersionRepository }>,
  dir: string,
  logger: Logger,
): Promise<ModelVersionRecord> {
  const { manifest } = readModelFolder(dir);
  return uow.run(async ({ models }) => {
    let model = await models.upsert({
      name: manifest.name,
      version: manifest.version,
      dims: manifest.embeddingDim,
      artifactUri: artifactUriFor(dir),
      manifest: JSON.parse(JSON.stringify(manifest)) as Record<string, never>,
      metrics: manifest.metrics ? (JSON.parse(JSON.stringify(manifest.metrics)) as Record<string, never>) : undefined,
    });
    if (!(await models.findActive())) {
      model = await models.activate(model.id);
      logger.info({ model: `${model.name}@${model.version}` }, 'activated model version (none was active)');
    }
    return model;
  });
}
