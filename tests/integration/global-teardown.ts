import type { S3rverProcess } from '../helpers/s3rver';

/** Stops the object store global-setup.ts started for the postgres+nats mode. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __bgmS3rver?: S3rverProcess }).__bgmS3rver;
  await server?.dispose();
}
