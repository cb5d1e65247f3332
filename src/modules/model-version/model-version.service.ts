import { requireRole, type Principal } from '../../auth/principal';
import { failedPrecondition, notFound } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import type { JobRepository } from '../../jobs/job.repository';
import { type ActivationRepositories, completeActivationIfCovered } from './model-activation';
import { refuseIfGateFailed } from './model-gate';
import type { ModelVersionRepository } from './model-version.repository';

export class ModelVersionService {
  constructor(
    private readonly models: ModelVersionRepository,
    private readonly uow: UnitOfWork<ActivationRepositories & { jobs: Pick<JobRepository, 'enqueue'> }>,
    private readonly onEnqueued: () => void,
    private readonly logger: Logger,
  ) {}

  active(): Promise<ModelVersionRecord | null> {
    return this.models.findActive();
  }

  list(principal: Principal | undefined): Promise<ModelVersionRecord[]> {
    requireRole(principal, 'admin');
    return this.models.list();
  }

  /**
   * Asks for `id` to become the active version (a CANDIDATE: a version still VALIDATING, REJECTED
   * by its probe or RETIRED is refused with its status and reason, and so is one the gate found
   * significantly worse than the active version unless `force`): queues the re-embedding of the catalog under it;
   * the switch happens when the catalog is covered (model-activation.ts), not before.
   */
  async activate(principal: Principal | undefined, id: string, force = false): Promise<ModelVersionRecord> {
    requireRole(principal, 'admin');
    const model = await this.models.findById(id);
    if (!model) throw notFound('ModelVersion', id);
    if (model.active) return model;
    await this.uow.run(async ({ models, jobs }) => {
      // Locked: a retirement or deletion of the same version takes turns with this.
      const current = await models.lockById(id);
      if (!current) throw notFound('ModelVersion', id);
      if (current.status !== 'CANDIDATE')
        throw failedPrecondition(
          `version ${current.name}@${current.version} is ${current.status}` +
            (current.statusReason ? ` (${current.statusReason})` : '') +
            ': only a CANDIDATE that passed its probe can be activated',
          { id, status: current.status },
        );
      refuseIfGateFailed(current, force);
      await models.requestActivation(id);
      await jobs.enqueue('REEMBED_CATALOG', { modelVersionId: id });
    });
    this.onEnqueued();
    return (await completeActivationIfCovered(this.uow, id, this.logger)) ?? (await this.models.findById(id))!;
  }
}
