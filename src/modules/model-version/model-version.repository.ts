import type { Db, ModelVersionRecord } from '../../db/prisma-types';
import type { Prisma } from '../../generated/prisma/client';

export interface NewModelVersion {
  name: string;
  version: string;
  dims: number;
  artifactUri: string;
  manifest: Prisma.InputJsonObject;
  metrics?: Prisma.InputJsonObject;
}

export interface ModelVersionRepository {
  findActive(): Promise<ModelVersionRecord | null>;
  findById(id: string): Promise<ModelVersionRecord | null>;
  findByNameVersion(name: string, version: string): Promise<ModelVersionRecord | null>;
  list(): Promise<ModelVersionRecord[]>;
  /** Inserts, or returns the existing row for (name, version). */
  upsert(model: NewModelVersion): Promise<ModelVersionRecord>;
  /** Makes `id` the only active version. Call inside a transaction. */
  activate(id: string): Promise<ModelVersionRecord>;
  /** Versions waiting to become active (embedding the catalog first). */
  findPending(): Promise<ModelVersionRecord[]>;
  requestActivation(id: string): Promise<ModelVersionRecord>;
  /**
   * Compare-and-set on the version's last coverage check: true (and stamped now) for the one
   * caller that finds the last check older than `minIntervalMs`, false for everyone else.
   */
  claimCoverageCheck(id: string, minIntervalMs: number): Promise<boolean>;
}

export class PrismaModelVersionRepository implements ModelVersionRepository {
  constructor(private readonly db: Db) {}

  findActive() {
    return this.db.modelVersion.findFirst({ where: { active: true } });
  }

  findById(id: string) {
    return this.db.modelVersion.findUnique({ where: { id } });
  }

  findByNameVersion(name: string, version: string) {
    return this.db.modelVersion.findUnique({ where: { name_version: { name, version } } });
  }

  async claimCoverageCheck(id: string, minIntervalMs: number) {
    const claimed = await this.db.$executeRaw`
      UPDATE model_version SET coverage_checked_at = now()
      WHERE id = ${id}::uuid
        AND (coverage_checked_at IS NULL OR coverage_checked_at <= now() - make_interval(secs => ${minIntervalMs / 1000}))`;
    return claimed === 1;
  }

  list() {
    return this.db.modelVersion.findMany({ orderBy: { createdAt: 'desc' }, take: 200 });
  }

  upsert(model: NewModelVersion) {
    return this.db.modelVersion.upsert({
      where: { name_version: { name: model.name, version: model.version } },
      create: model,
      update: {},
    });
  }

  async activate(id: string) {
    await this.db.modelVersion.updateMany({ where: { active: true, NOT: { id } }, data: { active: false } });
    return this.db.modelVersion.update({
      where: { id },
      data: { active: true, activatedAt: new Date(), activationRequestedAt: null },
    });
  }

  findPending() {
    return this.db.modelVersion.findMany({ where: { active: false, activationRequestedAt: { not: null } } });
  }

  requestActivation(id: string) {
    return this.db.modelVersion.update({ where: { id }, data: { activationRequestedAt: new Date() } });
  }
}
