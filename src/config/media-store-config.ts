import { z } from 'zod';
import { int, optionalString } from './env-schema-parts';

/** The media-store variables of the environment (issue 18); config.ts merges them into its schema. */
export const mediaStoreEnv = z.object({
  // The local folder (embedded default) or an S3-compatible bucket.
  MEDIA_STORE: z.enum(['local', 's3']).default('local'),
  S3_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  // Clients reach the store at another address than the servers do (compose, a CDN in front).
  S3_PUBLIC_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  S3_BUCKET: optionalString.pipe(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name: 3-63 lowercase letters, digits, . and -')
      .optional(),
  ),
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, 'a region name such as us-east-1')
    .default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  S3_PRESIGN_EXPIRY_SECONDS: int(60, 7 * 24 * 3600).default(900),
  S3_REQUEST_TIMEOUT_MS: int(100, 600_000).default(30_000),
});

/**
 * Where media lives. s3: an S3-compatible bucket (AWS, MinIO, Ceph...); credentials unset means
 * the SDK's default chain (instance role, IRSA, AWS_* variables). forcePathStyle: MinIO and Ceph
 * want `endpoint/bucket/key` URLs. publicEndpoint: the address presigned URLs name, when clients
 * reach the store elsewhere than the servers.
 */
export type MediaStoreConfig =
  | { kind: 'local' }
  | {
      kind: 's3';
      bucket: string;
      region: string;
      endpoint?: string;
      publicEndpoint?: string;
      forcePathStyle: boolean;
      credentials?: { accessKeyId: string; secretAccessKey: string };
      presignExpirySeconds: number;
      requestTimeoutMs: number;
    };

type MediaStoreEnv = z.infer<typeof mediaStoreEnv>;

export function mediaStoreProblems(e: MediaStoreEnv): string[] {
  const problems: string[] = [];
  if (e.MEDIA_STORE === 's3' && !e.S3_BUCKET) problems.push('S3_BUCKET: required when MEDIA_STORE=s3');
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    problems.push('S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: give both or neither (neither: the SDK default chain)');
  }
  return problems;
}

export function mediaStoreConfig(e: MediaStoreEnv): MediaStoreConfig {
  if (e.MEDIA_STORE === 'local') return { kind: 'local' };
  return {
    kind: 's3',
    bucket: e.S3_BUCKET!,
    region: e.S3_REGION,
    endpoint: e.S3_ENDPOINT,
    publicEndpoint: e.S3_PUBLIC_ENDPOINT,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
    credentials:
      e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
        : undefined,
    presignExpirySeconds: e.S3_PRESIGN_EXPIRY_SECONDS,
    requestTimeoutMs: e.S3_REQUEST_TIMEOUT_MS,
  };
}
