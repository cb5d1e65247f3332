import type { JobRecord, ModelVersionRecord } from '../../db/prisma-types';
import type { Embedder } from '../../inference/embedder';
import { ModelFolderError } from '../../inference/model-manifest';
import { probeModel, type ProbeResult } from '../../inference/model-probe';
import {
  type JobContext,
  type JobHandler,
  optionalPayloadString,
  payloadString,
  PermanentJobError,
} from '../job-handler';
import type { ModelFolders } from './handler-deps';

/** What the probe job reads and writes of model versions (the model-version repository satisfies it). */
export interface ProbeRows {
  findById(id: string): Promise<ModelVersionRecord | null>;
  /** VALIDATING -> CANDIDATE or REJECTED; false when the version is no longer VALIDATING. */
  finishProbe(id: string, outcome: { passed: boolean; reason?: string; probe: ProbeResult | null }): Promise<boolean>;
}

export interface ProbeModelDeps {
  models: ProbeRows;
  folders: ModelFolders;
  embedder: Embedder;
}

/**
 * registerModelVersion's job: loads the version's files the way every embedding job will (from the
 * object store, checked against the registered hashes) and runs both branches on the fixed probe
 * input (inference/model-probe.ts). A version that loads and passes becomes a CANDIDATE; one whose
 * files do not load in onnxruntime, or whose outputs break the contract, is REJECTED with the
 * reason. A store that does not answer is retried, not held against the model.
 */
export class ProbeModelHandler implements JobHandler {
  readonly kind = 'PROBE_MODEL' as const;

  constructor(private readonly deps: ProbeModelDeps) {}

  async run(job: JobRecord, ctx: JobContext): Promise<void> {
    const { models, folders, embedder } = this.deps;
    const model = await models.findById(payloadString(job, 'modelVersionId'));
    if (!model || model.status !== 'VALIDATING')
      return void ctx.logger.info({ jobId: job.id }, 'model version gone or already probed; nothing to do');
    let folder;
    try {
      folder = await folders.folder(model);
    } catch (err) {
      // Integrity and manifest failures are the archive's; anything else (the store) is retried.
      if (err instanceof ModelFolderError) throw new PermanentJobError(err.message);
      throw err;
    }
    let result: ProbeResult;
    try {
      result = await probeModel(embedder, folder);
    } catch (err) {
      // onnxruntime refused the graph or its inputs/outputs: no retry makes that pass.
      throw new PermanentJobError(`the model did not run on the probe input: ${(err as Error).message}`);
    }
    ctx.heartbeat();
    await models.finishProbe(model.id, { passed: result.ok, reason: result.reason, probe: result });
    ctx.logger.info(
      { model: `${model.name}@${model.version}`, passed: result.ok, reason: result.reason },
      'model version probed',
    );
  }

  async onFailed(job: JobRecord, reason: string): Promise<void> {
    const id = optionalPayloadString(job, 'modelVersionId');
    if (id) await this.deps.models.finishProbe(id, { passed: false, reason, probe: null });
  }
}
