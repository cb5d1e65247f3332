import type { JobRecord, ModelVersionRecord } from '../../db/prisma-types';
import {
  type JobContext,
  type JobHandler,
  optionalPayloadString,
  payloadString,
  PermanentJobError,
} from '../job-handler';
import { GATE_DEPTH, gateResult, type ModelEvaluation } from './model-evaluation';

/** What the gate job needs; the composition root passes the modules' repositories and ranking. */
export interface EvaluateModelDeps {
  models: {
    findById(id: string): Promise<ModelVersionRecord | null>;
    /** Writes the evaluation if it is still the one requested at `requestedAt`; whether it did. */
    finishEvaluation(id: string, requestedAt: string, evaluation: ModelEvaluation): Promise<boolean>;
  };
  findVideoEmbedding(videoId: string, modelVersionId: string): Promise<number[] | null>;
  /**
   * suggestBgm's ranking of the catalog for one video (its instrumental preference read once):
   * track ids for the video's query under a version, best first.
   */
  rankerFor(videoId: string): Promise<(modelVersionId: string, query: number[], first: number) => Promise<string[]>>;
}

/**
 * evaluateModelVersion's job, queued once the candidate covers the catalog and the held-out
 * videos have embeddings under both versions: each held-out choice's track is ranked under the
 * candidate and under the active version by the product's ranking (best window, score
 * standardisation, and the instrumental preference for the video's voice-over, so that a choice
 * ranks as its creator would be served it), and the paired ranks decide the verdict
 * (model-evaluation.ts).
 */
export class EvaluateModelHandler implements JobHandler {
  readonly kind = 'EVALUATE_MODEL' as const;

  constructor(private readonly deps: EvaluateModelDeps) {}

  async run(job: JobRecord, ctx: JobContext): Promise<void> {
    const { models } = this.deps;
    const model = await models.findById(payloadString(job, 'modelVersionId'));
    const evaluation = model?.evaluation as unknown as ModelEvaluation | null | undefined;
    if (!model || evaluation?.status !== 'PREPARING')
      return void ctx.logger.info({ jobId: job.id }, 'no evaluation waiting; nothing to do');
    const candidate: number[] = [];
    const baseline: number[] = [];
    for (const choice of evaluation.choices) {
      const rank = await this.deps.rankerFor(choice.videoId);
      const ranks = await Promise.all(
        [model.id, evaluation.baselineVersionId].map(async (versionId) => {
          const query = await this.deps.findVideoEmbedding(choice.videoId, versionId);
          if (!query) return undefined;
          const ranked = await rank(versionId, query, GATE_DEPTH);
          const at = ranked.indexOf(choice.trackId);
          return at < 0 ? GATE_DEPTH + 1 : at + 1;
        }),
      );
      // A video deleted since the request has no embeddings left: the choice drops out of both.
      if (ranks[0] === undefined || ranks[1] === undefined) continue;
      candidate.push(ranks[0]);
      baseline.push(ranks[1]);
      ctx.heartbeat();
    }
    if (candidate.length === 0) throw new PermanentJobError('none of the held-out choices can be ranked any more');
    const done: ModelEvaluation = {
      ...evaluation,
      status: 'DONE',
      result: gateResult(candidate, baseline),
      finishedAt: new Date().toISOString(),
    };
    await models.finishEvaluation(model.id, evaluation.requestedAt, done);
    ctx.logger.info({ model: `${model.name}@${model.version}`, result: done.result }, 'model version evaluated');
  }

  async onFailed(job: JobRecord, reason: string): Promise<void> {
    const id = optionalPayloadString(job, 'modelVersionId');
    if (!id) return;
    const model = await this.deps.models.findById(id);
    const evaluation = model?.evaluation as unknown as ModelEvaluation | null | undefined;
    if (evaluation?.status === 'PREPARING')
      await this.deps.models.finishEvaluation(id, evaluation.requestedAt, {
        ...evaluation,
        status: 'FAILED',
        reason,
        finishedAt: new Date().toISOString(),
      });
  }
}
