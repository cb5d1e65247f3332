import { requireRole, type Principal } from '../../auth/principal';
import { badInput, failedPrecondition, notFound } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { startPeriodic } from '../../common/periodic';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import { GATE_DEPTH, type ModelEvaluation } from '../../jobs/handlers/model-evaluation';
import type { JobRepository } from '../../jobs/job.repository';
import { heldOutChoices } from '../choice/platform-dataset';
import type { TrainingPairRepository } from '../choice/training-pairs.repository';
import type { TrackRepository } from '../track/track.repository';
import type { ModelVersionRepository } from './model-version.repository';

/** At most this many held-out choices are ranked (the most recent ones). */
export const MAX_GATE_CHOICES = 2000;

export interface GateRepositories {
  models: ModelVersionRepository;
  jobs: Pick<JobRepository, 'enqueue' | 'enqueueOnce'>;
  tracks: Pick<TrackRepository, 'anyReadyMissingEmbedding'>;
}

/**
 * The offline gate (issue 16): a candidate is compared with the active version on the creators'
 * most recent choices, the same held-out rule as dataset:from-platform's split, before anyone is
 * served by it. The request queues what the comparison needs (the catalog embedded under the
 * candidate, the held-out videos under both) and the sweep (checkEvaluations) queues the
 * EVALUATE_MODEL job once it is there; activateModelVersion then refuses a candidate the gate found
 * significantly worse unless forced.
 */
export class ModelGateService {
  constructor(
    private readonly uow: UnitOfWork<GateRepositories>,
    private readonly pairs: TrainingPairRepository,
    private readonly onEnqueued: () => void,
    private readonly logger: Logger,
  ) {}

  async evaluate(principal: Principal | undefined, id: string, heldOutFraction = 0.2): Promise<ModelVersionRecord> {
    requireRole(principal, 'admin');
    if (!(heldOutFraction > 0 && heldOutFraction <= 0.9))
      throw badInput('heldOutFraction: must be above 0 and at most 0.9', { argument: 'heldOutFraction' });
    const choices = heldOutChoices(await this.pairs.listPairs(), heldOutFraction)
      .slice(-MAX_GATE_CHOICES)
      .map(({ id: choiceId, videoId, trackId }) => ({ id: choiceId, videoId, trackId }));
    if (choices.length === 0)
      throw failedPrecondition('no creator choices to evaluate on: the gate needs recordBgmChoice data');
    const model = await this.uow.run(async ({ models, jobs }) => {
      const found = await models.lockById(id);
      if (!found) throw notFound('ModelVersion', id);
      if (found.status !== 'CANDIDATE' || found.active)
        throw failedPrecondition(
          `only an inactive CANDIDATE is evaluated (this one is ${found.active ? 'active' : found.status})`,
          { id },
        );
      const baseline = await models.findActive();
      if (!baseline) throw failedPrecondition('no active version to compare with');
      const evaluation: ModelEvaluation = {
        status: 'PREPARING',
        requestedAt: new Date().toISOString(),
        heldOutFraction,
        baselineVersionId: baseline.id,
        baselineVersion: `${baseline.name}@${baseline.version}`,
        choices,
        depth: GATE_DEPTH,
      };
      await jobs.enqueue('REEMBED_CATALOG', { modelVersionId: id });
      for (const videoId of new Set(choices.map((c) => c.videoId)))
        for (const modelVersionId of [id, baseline.id])
          await jobs.enqueueOnce(
            'EMBED_VIDEO',
            { videoId, modelVersionId },
            `embed-video:${videoId}:${modelVersionId}`,
          );
      return models.setEvaluation(id, evaluation);
    });
    this.onEnqueued();
    this.logger.info(
      { model: `${model.name}@${model.version}`, choices: choices.length },
      'model evaluation requested',
    );
    // An empty gap (everything embedded already) is seen at once, not at the next sweep.
    await checkEvaluations(this.uow, this.logger);
    return (await this.uow.run(({ models }) => models.findById(id)))!;
  }
}

/** Activation's side of the gate: a candidate found significantly worse needs `force`. */
export function refuseIfGateFailed(model: ModelVersionRecord, force: boolean): void {
  const evaluation = model.evaluation as unknown as ModelEvaluation | null;
  const result = evaluation?.status === 'DONE' ? evaluation.result : undefined;
  if (!force && result?.verdict === 'worse')
    throw failedPrecondition(
      `the gate found ${model.name}@${model.version} worse than ${evaluation!.baselineVersion} on ${result.n} held-out ` +
        `choices (median rank ${result.candidate.medianRank} against ${result.baseline.medianRank}, ` +
        `one-sided Wilcoxon p = ${result.pWorse.toPrecision(2)}): activate with force: true to override`,
      { id: model.id, verdict: result.verdict, pWorse: result.pWorse },
    );
}

/**
 * Queues the EVALUATE_MODEL job of every evaluation whose embeddings are all there (the candidate
 * covers the catalog, the held-out videos have embeddings under both versions); once per request.
 */
export async function checkEvaluations(uow: UnitOfWork<GateRepositories>, logger: Logger): Promise<number> {
  let queued = 0;
  const waiting = await uow.run(({ models }) => models.findEvaluating());
  for (const model of waiting) {
    const evaluation = model.evaluation as unknown as ModelEvaluation;
    const videoIds = [...new Set(evaluation.choices.map((c) => c.videoId))];
    const job = await uow.run(async ({ models, tracks, jobs }) => {
      if (await tracks.anyReadyMissingEmbedding(model.id)) return null;
      for (const versionId of [model.id, evaluation.baselineVersionId])
        if ((await models.countVideosMissingEmbedding(videoIds, versionId)) > 0) return null;
      return jobs.enqueueOnce(
        'EVALUATE_MODEL',
        { modelVersionId: model.id },
        `evaluate-model:${model.id}:${evaluation.requestedAt}`,
      );
    });
    if (job) {
      queued++;
      logger.info({ model: `${model.name}@${model.version}` }, 'embeddings ready: model evaluation queued');
    }
  }
  return queued;
}

/** Runs checkEvaluations every `intervalMs` where jobs run (beside the activation coverage sweep). */
export function startGateSweep(
  uow: UnitOfWork<GateRepositories>,
  logger: Logger,
  intervalMs: number,
  onEnqueued: () => void,
) {
  return startPeriodic(
    'gate sweep',
    async () => {
      if ((await checkEvaluations(uow, logger)) > 0) onEnqueued();
    },
    intervalMs,
    logger,
  );
}
