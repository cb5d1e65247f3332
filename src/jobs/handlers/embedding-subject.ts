import type { ModelVersionRecord } from '../../db/prisma-types';
import type { JobRecord } from '../../db/prisma-types';
import { optionalPayloadString, PermanentJobError, payloadString } from '../job-handler';
import type { MediaRows, ModelVersionRows } from './handler-deps';

/** What an embedding job works on: a catalog track or a creator's video, named in its payload. */
export type Subject = 'track' | 'video';

/**
 * Loads the job's subject and the model versions to embed it for, and marks it PROCESSING unless
 * it is READY already: a re-embed for a new version must not make a READY subject look unfinished
 * meanwhile. A subject deleted since the job was queued fails the job for good.
 */
export async function startEmbedding<R extends { status: string }>(
  job: JobRecord,
  subject: Subject,
  rows: MediaRows<R>,
  models: ModelVersionRows,
): Promise<{ id: string; row: R; targets: ModelVersionRecord[] }> {
  const id = payloadString(job, `${subject}Id`);
  const row = await rows.findById(id);
  if (!row) throw new PermanentJobError(`${subject} ${id} no longer exists`);
  const targets = await targetModels(models, optionalPayloadString(job, 'modelVersionId'));
  if (row.status !== 'READY') await rows.setStatus(id, 'PROCESSING');
  return { id, row, targets };
}

/** Records a permanent failure on the job's subject (FAILED with the reason), if it still exists. */
export async function failSubject<R>(job: JobRecord, subject: Subject, rows: MediaRows<R>, reason: string) {
  const id = optionalPayloadString(job, `${subject}Id`);
  if (id && (await rows.findById(id))) await rows.setStatus(id, 'FAILED', { error: reason });
}

/**
 * The model versions a job embeds for: the one named in its payload, else every version that
 * serves or soon may (the active one, one waiting to become active, the canary, a candidate whose
 * gate waits for the catalog), so new media is covered by each during a roll-out.
 */
async function targetModels(models: ModelVersionRows, modelVersionId: string | undefined) {
  if (modelVersionId) {
    const model = await models.findById(modelVersionId);
    if (!model) throw new PermanentJobError(`model version ${modelVersionId} does not exist`);
    return [model];
  }
  const found = await models.findEmbeddingTargets();
  // No model yet: transient, an admin (or the bundled model's registration) can fix it.
  if (found.length === 0) throw new Error('no active model version to embed with');
  return found;
}
