import { requireRole, type Principal } from '../../auth/principal';
import { badInput, conflict, failedPrecondition, notFound } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import type { ArmKind, ExperimentStatus, MediaStatus } from '../../generated/prisma/enums';
import type { CanaryStart, ModelEvaluation } from '../../jobs/handlers/model-evaluation';
import type { CanaryRepository } from './canary.repository';
import { type CanaryComparison, compareArms } from './canary-report';
import type { ModelVersionRepository } from './model-version.repository';

/** At most this many of the gate's held-out videos go into the rater experiment (its own bound). */
export const CANARY_EXPERIMENT_VIDEOS = 1000;

/**
 * What passing the gate writes besides the verdict. The experiments module imports this one
 * (its arms name model versions), so its repository is named here by the shape used.
 */
interface ExperimentWriter {
  create(e: {
    name: string;
    description: string;
    arms: { label: string; kind: ArmKind; modelVersionId: string; config: Record<string, never> }[];
    videoIds: string[];
  }): Promise<{ id: string }>;
  setStatus(id: string, status: ExperimentStatus): Promise<unknown>;
  videoStatuses(ids: string[]): Promise<{ id: string; status: MediaStatus }[]>;
}

export interface CanaryRepositories {
  models: ModelVersionRepository;
  canaries: CanaryRepository;
  experiments: ExperimentWriter;
}

/** Whether the gate let the candidate through against `baselineId`: evaluated, and not significantly worse. */
function passedGateAgainst(model: ModelVersionRecord, baselineId: string | undefined): string | null {
  const evaluation = model.evaluation as unknown as ModelEvaluation | null;
  if (evaluation?.status !== 'DONE' || !evaluation.result)
    return 'it has not passed the offline gate (evaluateModelVersion)';
  if (evaluation.result.verdict === 'worse') return `the gate found it worse than ${evaluation.baselineVersion}`;
  if (evaluation.baselineVersionId !== baselineId)
    return `the gate compared it with ${evaluation.baselineVersion}, which is no longer the active version: evaluate it again`;
  return null;
}

/** Why `model` may not serve a canary share now, or null. */
function whyNotCanary(model: ModelVersionRecord, active: ModelVersionRecord | null): string | null {
  if (model.active) return 'it is the active version';
  if (model.status !== 'CANDIDATE') return `it is ${model.status}`;
  if (model.activationRequestedAt) return 'it is being activated';
  return passedGateAgainst(model, active?.id);
}

/**
 * The canary (issue 16): a candidate that passed the gate serves a share of the videos asking
 * suggestBgm (picked by a hash of video and canary: video-suggestion.sql.ts), every suggestion
 * served while it runs is counted per video and serving version, and each choice recorded then
 * keeps the arm it was made on. The report compares the two arms' choices.
 */
export class ModelCanaryService {
  constructor(
    private readonly uow: UnitOfWork<CanaryRepositories>,
    private readonly logger: Logger,
  ) {}

  /** Sets the share (0 stops the canary). Only one version is the canary at a time. */
  async setShare(principal: Principal | undefined, id: string, share: number): Promise<ModelVersionRecord> {
    requireRole(principal, 'admin');
    if (!(Number.isFinite(share) && share >= 0 && share <= 1))
      throw badInput('share: must be between 0 and 1', { argument: 'share' });
    const model = await this.uow.run(async ({ models }) => {
      const found = await models.lockById(id);
      if (!found) throw notFound('ModelVersion', id);
      if (share > 0) {
        const why = whyNotCanary(found, await models.findActive());
        if (why)
          throw failedPrecondition(`${found.name}@${found.version} cannot serve a canary share: ${why}`, {
            id,
            status: found.status,
          });
        const other = await models.findCanary();
        if (other && other.id !== id)
          throw conflict(
            `${other.name}@${other.version} is the canary (share ${other.canaryShare}): set its share to 0 first`,
            { canaryId: other.id },
          );
      } else if (!(found.canaryShare > 0)) return found;
      return models.setCanaryShare(found, share);
    });
    this.logger.info({ model: `${model.name}@${model.version}`, share }, 'canary share set');
    return model;
  }

  /** The choices on the canary's arm against the version the gate compared it with. */
  async report(
    principal: Principal | undefined,
    id: string,
  ): Promise<{ model: ModelVersionRecord; baseline: ModelVersionRecord | null; comparison: CanaryComparison }> {
    requireRole(principal, 'admin');
    return this.uow.run(async ({ models, canaries }) => {
      const model = await models.findById(id);
      if (!model) throw notFound('ModelVersion', id);
      const evaluation = model.evaluation as unknown as ModelEvaluation | null;
      const baselineId = evaluation?.baselineVersionId ?? (await models.findActive())?.id;
      if (!baselineId) throw failedPrecondition('no version to compare the canary with');
      const [served, choices, withChoice] = await Promise.all([
        canaries.servedCounts(id),
        canaries.choiceCounts(id),
        canaries.videosWithChoice(id),
      ]);
      return {
        model,
        baseline: await models.findById(baselineId),
        comparison: compareArms(id, baselineId, served, choices, withChoice),
      };
    });
  }
}

/**
 * Writes the gate's outcome (if the evaluation is still the one requested at `requestedAt`) and,
 * when the candidate passed (not significantly worse), in the same transaction: a RUNNING rater
 * experiment of the candidate against the version it was compared with, on the held-out videos
 * (each has embeddings under both), and `defaultShare` of suggestBgm for the candidate when no
 * other canary runs. Returns whether the outcome was written.
 */
export async function finishGate(
  uow: UnitOfWork<CanaryRepositories>,
  id: string,
  requestedAt: string,
  evaluation: ModelEvaluation,
  defaultShare: number,
  logger: Logger,
): Promise<boolean> {
  if (evaluation.status !== 'DONE' || !evaluation.result || evaluation.result.verdict === 'worse')
    return uow.run(({ models }) => models.finishEvaluation(id, requestedAt, evaluation));
  const started = await uow.run(async ({ models, experiments }) => {
    const model = await models.lockById(id);
    const current = model?.evaluation as unknown as ModelEvaluation | null | undefined;
    if (!model || current?.requestedAt !== requestedAt) return null;
    const canary = await startCanary(models, experiments, model, evaluation, defaultShare);
    await models.finishEvaluation(id, requestedAt, { ...evaluation, canary });
    return { model, canary };
  });
  if (started)
    logger.info(
      { model: `${started.model.name}@${started.model.version}`, ...started.canary },
      'model version passed the gate: rater experiment and canary',
    );
  return started !== null;
}

async function startCanary(
  models: ModelVersionRepository,
  experiments: ExperimentWriter,
  model: ModelVersionRecord,
  evaluation: ModelEvaluation,
  defaultShare: number,
): Promise<CanaryStart> {
  const heldOut = [...new Set(evaluation.choices.map((c) => c.videoId))];
  const ready = new Set(
    (await experiments.videoStatuses(heldOut)).filter((v) => v.status === 'READY').map((v) => v.id),
  );
  const videoIds = heldOut.filter((v) => ready.has(v)).slice(-CANARY_EXPERIMENT_VIDEOS);
  const candidate = `${model.name}@${model.version}`;
  let experimentId: string | null = null;
  let experimentNote: string | undefined;
  if (videoIds.length === 0) experimentNote = 'none of the held-out videos is READY any more';
  else if (!(await models.findById(evaluation.baselineVersionId)))
    experimentNote = `${evaluation.baselineVersion} no longer exists`;
  else {
    const experiment = await experiments.create({
      name: `Canary: ${candidate} against ${evaluation.baselineVersion}`,
      description:
        `Created when ${candidate} passed the offline gate (${evaluation.result!.verdict} on ` +
        `${evaluation.result!.n} held-out choices); the videos are the gate's held-out ones.`,
      arms: [
        {
          label: `active ${evaluation.baselineVersion}`,
          kind: 'MODEL_VERSION',
          modelVersionId: evaluation.baselineVersionId,
          config: {},
        },
        { label: `candidate ${candidate}`, kind: 'MODEL_VERSION', modelVersionId: model.id, config: {} },
      ],
      videoIds,
    });
    await experiments.setStatus(experiment.id, 'RUNNING');
    experimentId = experiment.id;
  }
  if (!(defaultShare > 0)) return { experimentId, experimentNote, share: 0 };
  const active = await models.findActive();
  const why = active?.id === evaluation.baselineVersionId ? null : 'the active version changed during the evaluation';
  const other = await models.findCanary();
  const shareNote =
    why ?? (other && other.id !== model.id ? `${other.name}@${other.version} is the canary` : undefined);
  if (shareNote) return { experimentId, experimentNote, share: 0, shareNote };
  await models.setCanaryShare(model, defaultShare);
  return { experimentId, experimentNote, share: defaultShare };
}
