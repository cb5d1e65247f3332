import type { Logger } from '../../common/logger';
import { startPeriodic } from '../../common/periodic';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import type { TrackRepository } from '../track/track.repository';
import type { ModelVersionRepository } from './model-version.repository';

/** What the coverage check reads and the activation writes, in one transaction. */
export interface ActivationRepositories {
  models: ModelVersionRepository;
  tracks: Pick<TrackRepository, 'anyReadyMissingEmbedding'>;
}

/**
 * A version asked to become active switches once every READY live track has an embedding under
 * it; until then queries keep using the previous version, so they never mix versions. Called right
 * after the request (an empty catalog is covered), after each track embedded for a pending version,
 * and by each worker's periodic sweep (startCoverageSweep).
 *
 * The check scans the catalog for a track without an embedding, and near the end of a 10 M-track
 * re-embed that scan is long while thousands of jobs finish per minute. With `minIntervalMs`, only
 * the one caller per interval that wins claimCoverageCheck scans; the sweep makes sure the check
 * after the last job still happens, within about two intervals.
 */
export async function completeActivationIfCovered(
  uow: UnitOfWork<ActivationRepositories>,
  modelVersionId: string,
  logger: Logger,
  minIntervalMs = 0,
): Promise<ModelVersionRecord | null> {
  const activated = await uow.run(async ({ models, tracks }) => {
    const model = await models.findById(modelVersionId);
    if (!model || model.active || !model.activationRequestedAt) return null;
    if (minIntervalMs > 0 && !(await models.claimCoverageCheck(modelVersionId, minIntervalMs))) return null;
    if (await tracks.anyReadyMissingEmbedding(modelVersionId)) return null;
    return models.activate(modelVersionId);
  });
  if (activated)
    logger.info({ model: `${activated.name}@${activated.version}` }, 'model version covers the catalog: now active');
  return activated;
}

/**
 * Checks every pending version each `intervalMs` (throttled like the per-job check), so that a
 * version whose last track was embedded during another worker's check still becomes active.
 * Returns a stop function.
 */
export function startCoverageSweep(
  uow: UnitOfWork<ActivationRepositories>,
  logger: Logger,
  intervalMs: number,
): () => Promise<void> {
  const sweep = async () => {
    const pending = await uow.run(({ models }) => models.findPending());
    for (const model of pending) await completeActivationIfCovered(uow, model.id, logger, intervalMs);
  };
  return startPeriodic('coverage sweep', sweep, intervalMs, logger);
}
