import { requireRole, type Principal } from '../../auth/principal';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { ModelVersionRepository } from './model-version.repository';

export class ModelVersionService {
  constructor(private readonly models: ModelVersionRepository) {}

  active(): Promise<ModelVersionRecord | null> {
    return this.models.findActive();
  }

  list(principal: Principal | undefined): Promise<ModelVersionRecord[]> {
    requireRole(principal, 'admin');
    return this.models.list();
  }
}
