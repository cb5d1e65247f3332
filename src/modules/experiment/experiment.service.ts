import { requireRole, type Principal } from '../../auth/principal';
import { badInput, failedPrecondition, notFound } from '../../common/errors';
import type { ModelVersionRepository } from '../model-version/model-version.repository';
import type { ArmKind, ExperimentStatus } from '../../generated/prisma/enums';
import type { ArmRecord, ExperimentRepository, ExperimentWithArms, NewArm } from './experiment.repository';
import type { PreferenceRepository } from './preference.repository';
import { tabulate, type ArmStanding, type PairTable } from './results';

export const MAX_ARMS = 8;
export const MAX_EXPERIMENT_VIDEOS = 1000;
export const MAX_ARM_TAGS = 32;

export interface ArmInput {
  label: string;
  kind: ArmKind;
  modelVersionId?: string | null;
  tags?: string[] | null;
}

export interface CreateExperimentInput {
  name: string;
  description?: string | null;
  arms: ArmInput[];
  videoIds: string[];
}

export interface ExperimentResults {
  experiment: ExperimentWithArms;
  totalVotes: number;
  raters: number;
  pairs: (Omit<PairTable, 'firstArmId' | 'secondArmId'> & { firstArm: ArmRecord; secondArm: ArmRecord })[];
  arms: (Omit<ArmStanding, 'armId'> & { arm: ArmRecord })[];
  bradleyTerryConverged: boolean | null;
}

/** Allowed status changes; a CLOSED experiment is final (its votes are the result). */
const TRANSITIONS: Record<ExperimentStatus, ExperimentStatus[]> = {
  DRAFT: ['RUNNING', 'CLOSED'],
  RUNNING: ['CLOSED'],
  CLOSED: [],
};

export interface ExperimentRepositories {
  experiments: ExperimentRepository;
  preferences: Pick<PreferenceRepository, 'outcomes'>;
  models: Pick<ModelVersionRepository, 'findById'>;
}

/** The admins' side of experiments: set-up, status, and the preference tables. */
export class ExperimentService {
  constructor(
    private readonly repos: ExperimentRepositories,
    private readonly maxPageSize: number,
  ) {}

  async createExperiment(principal: Principal | undefined, input: CreateExperimentInput): Promise<ExperimentWithArms> {
    requireRole(principal, 'admin');
    const name = input.name.trim();
    if (!name) throw badInput('name must not be blank', { argument: 'name' });
    const arms = await this.checkArms(input.arms);
    const videoIds = await this.checkVideos(input.videoIds);
    return this.repos.experiments.create({ name, description: input.description?.trim() ?? '', arms, videoIds });
  }

  async setStatus(principal: Principal | undefined, id: string, status: ExperimentStatus): Promise<ExperimentWithArms> {
    requireRole(principal, 'admin');
    const experiment = await this.repos.experiments.findById(id);
    if (!experiment) throw notFound('Experiment', id);
    if (experiment.status === status) return experiment;
    if (!TRANSITIONS[experiment.status].includes(status)) {
      throw failedPrecondition(`Experiment ${id} is ${experiment.status}; it cannot become ${status}`, {
        status: experiment.status,
      });
    }
    return this.repos.experiments.setStatus(id, status);
  }

  async getExperiment(principal: Principal | undefined, id: string): Promise<ExperimentWithArms> {
    requireRole(principal, 'admin');
    const experiment = await this.repos.experiments.findById(id);
    if (!experiment) throw notFound('Experiment', id);
    return experiment;
  }

  async listExperiments(
    principal: Principal | undefined,
    status?: ExperimentStatus | null,
  ): Promise<ExperimentWithArms[]> {
    requireRole(principal, 'admin');
    return this.repos.experiments.list(this.maxPageSize, status ?? undefined);
  }

  /** Per pair of arms the paper's table (preferred %, neutral %), with intervals and tests. */
  async results(principal: Principal | undefined, id: string): Promise<ExperimentResults> {
    const experiment = await this.getExperiment(principal, id);
    const tables = tabulate(experiment.arms, await this.repos.preferences.outcomes(id));
    const arm = new Map(experiment.arms.map((a) => [a.id, a]));
    return {
      experiment,
      totalVotes: tables.totalVotes,
      raters: tables.raters,
      pairs: tables.pairs.map(({ firstArmId, secondArmId, ...p }) => ({
        ...p,
        firstArm: arm.get(firstArmId)!,
        secondArm: arm.get(secondArmId)!,
      })),
      arms: tables.arms.map(({ armId, ...s }) => ({ ...s, arm: arm.get(armId)! })),
      bradleyTerryConverged: tables.bradleyTerry?.converged ?? null,
    };
  }

  private async checkArms(arms: ArmInput[]): Promise<NewArm[]> {
    if (arms.length < 2 || arms.length > MAX_ARMS)
      throw badInput(`an experiment needs 2 to ${MAX_ARMS} arms`, { argument: 'arms' });
    const labels = new Set<string>();
    const checked: NewArm[] = [];
    for (const [i, arm] of arms.entries()) {
      const at = `arms[${i}]`;
      const label = arm.label.trim();
      if (!label) throw badInput(`${at}.label must not be blank`, { argument: `${at}.label` });
      if (labels.has(label)) throw badInput(`${at}.label "${label}" is used twice`, { argument: `${at}.label` });
      labels.add(label);
      const tags = [...new Set((arm.tags ?? []).map((t) => t.trim()).filter(Boolean))];
      if (arm.kind !== 'MODEL_VERSION' && arm.modelVersionId) {
        throw badInput(`${at}.modelVersionId is only for MODEL_VERSION arms`, { argument: `${at}.modelVersionId` });
      }
      if (arm.kind !== 'TAG_SEARCH' && tags.length > 0)
        throw badInput(`${at}.tags are only for TAG_SEARCH arms`, { argument: `${at}.tags` });
      switch (arm.kind) {
        case 'MODEL_VERSION': {
          if (!arm.modelVersionId)
            throw badInput(`${at}.modelVersionId is required for a MODEL_VERSION arm`, {
              argument: `${at}.modelVersionId`,
            });
          if (!(await this.repos.models.findById(arm.modelVersionId))) {
            throw badInput(`${at}.modelVersionId: model version ${arm.modelVersionId} not found`, {
              argument: `${at}.modelVersionId`,
            });
          }
          checked.push({ label, kind: arm.kind, modelVersionId: arm.modelVersionId, config: {} });
          break;
        }
        case 'TAG_SEARCH':
          if (tags.length === 0 || tags.length > MAX_ARM_TAGS) {
            throw badInput(`${at}.tags: a TAG_SEARCH arm needs 1 to ${MAX_ARM_TAGS} tags`, { argument: `${at}.tags` });
          }
          checked.push({ label, kind: arm.kind, modelVersionId: null, config: { tags } });
          break;
        case 'RANDOM':
          checked.push({ label, kind: arm.kind, modelVersionId: null, config: {} });
          break;
      }
    }
    return checked;
  }

  /** Videos of any owner, but each must exist and be READY (a rater must be able to play it). */
  private async checkVideos(ids: string[]): Promise<string[]> {
    if (ids.length < 1 || ids.length > MAX_EXPERIMENT_VIDEOS) {
      throw badInput(`an experiment needs 1 to ${MAX_EXPERIMENT_VIDEOS} videos`, { argument: 'videoIds' });
    }
    if (new Set(ids).size !== ids.length) throw badInput('videoIds must not repeat a video', { argument: 'videoIds' });
    const found = new Map((await this.repos.experiments.videoStatuses(ids)).map((v) => [v.id, v.status]));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0)
      throw badInput(`videos not found: ${missing.slice(0, 10).join(', ')}`, {
        argument: 'videoIds',
        missing: missing.slice(0, 100),
      });
    const notReady = ids.filter((id) => found.get(id) !== 'READY');
    if (notReady.length > 0) {
      throw badInput(
        `videos must be READY: ${notReady
          .slice(0, 10)
          .map((id) => `${id} is ${found.get(id)}`)
          .join(', ')}`,
        {
          argument: 'videoIds',
          notReady: notReady.slice(0, 100),
        },
      );
    }
    return ids;
  }
}
