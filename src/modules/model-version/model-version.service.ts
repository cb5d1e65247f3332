import { requireRole, type Principal } from '../../auth/principal';
import { notFound } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import type { JobRepository } from '../../jobs/job.repository';
import { type ActivationRepositories, completeActivationIfCovered } from './model-activation';
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
   * Asks for `id` to become the active version: queues the re-embedding of the catalog under it;
   * the switch happens when the catalog is covered (model-activation.ts), not before.
   */
  async activate(principal: Principal | undefined, id: string): Promise<ModelVersionRecord> {
    requireRole(principal, 'admin');
    const model = await this.models.findById(id);
    if (!model) throw notFound('ModelVersion', id);
    if (model.active) return model;
    await this.uow.run(async ({ models, jobs }) => {
      await models.requestActivation(id);
      await jobs.enqueue('REEMBED_CATALOG', { modelVersionId: id });
    });
    this.onEnqueued();
    return (await completeActivationIfCovered(this.uow, id, this.logger)) ?? (await this.models.findById(id))!;
  }
}
