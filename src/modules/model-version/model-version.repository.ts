import type { Db, ModelVersionRecord } from '../../db/prisma-types';
import { Prisma } from '../../generated/prisma/client';

export interface NewModelVersion {
  name: string;
  version: string;
  dims: number;
  artifactUri: string;
  manifest: Prisma.InputJsonObject;
  metrics?: Prisma.InputJsonObject;
}

/** A version registered from an archive: stored VALIDATING until a worker's probe decides. */
export interface NewValidatingVersion extends NewModelVersion {
  lineage: Prisma.InputJsonObject;
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
  /**
   * What new tracks and videos are embedded for: the active version, versions waiting to become
   * active, the canary, and candidates whose gate evaluation waits for the catalog.
   */
  findEmbeddingTargets(): Promise<ModelVersionRecord[]>;
  /** The version serving a share of suggestBgm beside the active one, if any. */
  findCanary(): Promise<ModelVersionRecord | null>;
  /**
   * Sets the canary share (0 stops it); canaryStartedAt is stamped when a stopped canary starts.
   * `locked` is the version's row as read under lockById in the same transaction.
   */
  setCanaryShare(locked: ModelVersionRecord, share: number): Promise<ModelVersionRecord>;
  requestActivation(id: string): Promise<ModelVersionRecord>;
  /**
   * Compare-and-set on the version's last coverage check: true (and stamped now) for the one
   * caller that finds the last check older than `minIntervalMs`, false for everyone else.
   */
  claimCoverageCheck(id: string, minIntervalMs: number): Promise<boolean>;
  /** Inserts a VALIDATING version; null when (name, version) is taken. */
  createValidating(model: NewValidatingVersion): Promise<ModelVersionRecord | null>;
  /** VALIDATING -> CANDIDATE (passed) or REJECTED; false when the version is no longer VALIDATING. */
  finishProbe(id: string, outcome: { passed: boolean; reason?: string; probe: object | null }): Promise<boolean>;
  /** The version, its row locked until the transaction ends (activation, retirement and deletion take turns). */
  lockById(id: string): Promise<ModelVersionRecord | null>;
  retire(id: string, reason: string | null): Promise<ModelVersionRecord>;
  /** Deletes the version and (cascade) its embeddings. */
  delete(id: string): Promise<void>;
  /** Whether an experiment arm names the version (those rows keep it). */
  inExperiment(id: string): Promise<boolean>;
  /** Starts an evaluation (the gate), replacing any earlier one. */
  setEvaluation(id: string, evaluation: object): Promise<ModelVersionRecord>;
  /** Writes the outcome if the evaluation requested at `requestedAt` is still the current one. */
  finishEvaluation(id: string, requestedAt: string, evaluation: object): Promise<boolean>;
  /** Versions whose evaluation waits for its embeddings. */
  findEvaluating(): Promise<ModelVersionRecord[]>;
  /** How many of these videos (READY ones) have no embedding under the version yet. */
  countVideosMissingEmbedding(videoIds: readonly string[], modelVersionId: string): Promise<number>;
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
    // A canary is measured against the version that was active when it passed the gate: a new
    // active version (the canary promoted, or another) ends it.
    await this.db.modelVersion.updateMany({ where: { canaryShare: { gt: 0 } }, data: { canaryShare: 0 } });
    return this.db.modelVersion.update({
      where: { id },
      data: { active: true, activatedAt: new Date(), activationRequestedAt: null },
    });
  }

  findPending() {
    return this.db.modelVersion.findMany({ where: { active: false, activationRequestedAt: { not: null } } });
  }

  findEmbeddingTargets() {
    return this.db.modelVersion.findMany({
      where: {
        OR: [
          { active: true },
          { activationRequestedAt: { not: null } },
          { canaryShare: { gt: 0 } },
          { status: 'CANDIDATE', evaluation: { path: ['status'], equals: 'PREPARING' } },
        ],
      },
      orderBy: { createdAt: 'asc' },
    });
  }

  findCanary() {
    return this.db.modelVersion.findFirst({ where: { canaryShare: { gt: 0 } } });
  }

  setCanaryShare(locked: ModelVersionRecord, share: number) {
    const starting = share > 0 && !(locked.canaryShare > 0);
    return this.db.modelVersion.update({
      where: { id: locked.id },
      data: { canaryShare: share, ...(starting ? { canaryStartedAt: new Date() } : {}) },
    });
  }

  async createValidating(model: NewValidatingVersion) {
    const rows = await this.db.modelVersion.createManyAndReturn({
      data: [{ ...model, status: 'VALIDATING' }],
      skipDuplicates: true,
    });
    return rows[0] ?? null;
  }

  async finishProbe(id: string, outcome: { passed: boolean; reason?: string; probe: object | null }) {
    const { count } = await this.db.modelVersion.updateMany({
      where: { id, status: 'VALIDATING' },
      data: {
        status: outcome.passed ? 'CANDIDATE' : 'REJECTED',
        statusReason: outcome.passed ? null : (outcome.reason ?? 'the probe failed'),
        probe: outcome.probe ? (JSON.parse(JSON.stringify(outcome.probe)) as Prisma.InputJsonObject) : Prisma.DbNull,
      },
    });
    return count === 1;
  }

  async lockById(id: string) {
    const rows = await this.db.$queryRaw<
      { id: string }[]
    >`SELECT id::text FROM model_version WHERE id = ${id}::uuid FOR UPDATE`;
    return rows.length ? this.findById(id) : null;
  }

  retire(id: string, reason: string | null) {
    return this.db.modelVersion.update({
      where: { id },
      data: { status: 'RETIRED', statusReason: reason, activationRequestedAt: null, canaryShare: 0 },
    });
  }

  async delete(id: string) {
    await this.db.modelVersion.delete({ where: { id } });
  }

  async inExperiment(id: string) {
    return (await this.db.experimentArm.count({ where: { modelVersionId: id } })) > 0;
  }

  setEvaluation(id: string, evaluation: object) {
    return this.db.modelVersion.update({
      where: { id },
      data: { evaluation: JSON.parse(JSON.stringify(evaluation)) as Prisma.InputJsonObject },
    });
  }

  async finishEvaluation(id: string, requestedAt: string, evaluation: object) {
    const updated = await this.db.$executeRaw`
      UPDATE model_version SET evaluation = ${JSON.stringify(evaluation)}::jsonb
      WHERE id = ${id}::uuid AND evaluation->>'requestedAt' = ${requestedAt}`;
    return updated === 1;
  }

  findEvaluating() {
    return this.db.modelVersion.findMany({ where: { evaluation: { path: ['status'], equals: 'PREPARING' } } });
  }

  async countVideosMissingEmbedding(videoIds: readonly string[], modelVersionId: string) {
    if (videoIds.length === 0) return 0;
    return this.db.video.count({
      where: { id: { in: [...videoIds] }, status: 'READY', embeddings: { none: { modelVersionId } } },
    });
  }

  requestActivation(id: string) {
    return this.db.modelVersion.update({ where: { id }, data: { activationRequestedAt: new Date() } });
  }
}
