import type { Logger } from '../common/logger';
import type { JobKind, JobRecord } from '../db/prisma-types';
import { isMediaError } from '../media/media-error';

export interface JobContext {
  logger: Logger;
  /** Call during long work: keeps the queue from handing the message to another worker. */
  heartbeat: () => void;
}

export interface JobHandler {
  readonly kind: JobKind;
  /** Does the job. Throws PermanentJobError (or a non-retryable MediaError) for bad input; anything else is retried. */
  run(job: JobRecord, ctx: JobContext): Promise<void>;
  /** Records a permanent failure on the job's subject (e.g. the track becomes FAILED with the reason). */
  onFailed(job: JobRecord, reason: string): Promise<void>;
}

/** A failure that retrying cannot fix (corrupt media, a deleted track...). */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentJobError) return true;
  if (isMediaError(err)) return !err.retryable;
  return false;
}

/** The reason kept on the job and shown to users: media errors carry their stable code. */
export function reasonOf(err: unknown): string {
  if (isMediaError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export function payloadString(job: JobRecord, key: string): string {
  const value = optionalPayloadString(job, key);
  if (value === undefined) throw new PermanentJobError(`job payload has no ${key}`);
  return value;
}

/** The payload's string at `key`, or undefined (e.g. in onFailed, which must not throw on a bad payload). */
export function optionalPayloadString(job: Pick<JobRecord, 'payload'>, key: string): string | undefined {
  const value = (job.payload as Record<string, unknown> | null)?.[key];
  return typeof value === 'string' ? value : undefined;
}
