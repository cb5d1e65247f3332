import type { Logger } from '../../common/logger';
import type { UnitOfWork } from '../../db/repositories';
import type { ModelVersionRecord } from '../../db/prisma-types';

/**
 * A version asked to become active switches once every READY live track has an embedding under
 * it; until then queries keep using the previous version, so they never mix versions. Called after
 * each track embedded for a pending version, and right after the request (an empty catalog is covered).
 */
export async function completeActivationIfCovered(uow: UnitOfWork, modelVersionId: string, logger: Logger): Promise<ModelVersionRecord | null> {
  const activated = await uow.run(async ({ models, tracks }) => {
    const model = await models.findById(modelVersionId);
    if (!model || model.active || !model.activationRequestedAt) return null;
    if (await tracks.anyReadyMissingEmbedding(modelVersionId)) return null;
    return models.activate(modelVersionId);
  });
  if (activated) logger.info({ model: `${activated.name}@${activated.version}` }, 'model version covers the catalog: now active');
  return activated;
}
