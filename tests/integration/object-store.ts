import fs from 'node:fs';
import path from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { App } from '../../src/app/start-app';
import { S3RVER_CREDENTIALS, s3rverClient } from '../helpers/s3rver';

/**
 * The object store of the postgres+nats mode: one s3rver process for the run (global-setup.ts
 * starts it, global-teardown.ts stops it), a bucket per test environment.
 */
export const testS3Endpoint = () => process.env.BGM_TEST_S3_ENDPOINT;

export function s3Env(endpoint: string, bucket: string): Record<string, string> {
  return {
    MEDIA_STORE: 's3',
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    // Keeps outage tests short: a silent store fails a request within seconds.
    S3_REQUEST_TIMEOUT_MS: '5000',
  };
}

const clients = new WeakMap<App, S3Client>();

function clientOf(app: App): { client: S3Client; bucket: string } | undefined {
  const store = app.config.mediaStore;
  if (store.kind !== 's3') return undefined;
  let client = clients.get(app);
  if (!client) {
    client = s3rverClient(store.endpoint!);
    clients.set(app, client);
  }
  return { client, bucket: store.bucket };
}

const synced = new WeakMap<App, Map<string, string>>();

/**
 * Tests prepare media by writing files into the app's media root, as an operator would on the
 * embedded default. On the object store this puts each new or changed file into the bucket under
 * the same relative path (what an operator's `aws s3 sync` does), so the same tests run on both.
 * Called before every GraphQL request and upload grant the harness makes.
 */
export async function syncStagedMedia(app: App): Promise<void> {
  const s3 = clientOf(app);
  if (!s3) return;
  const seen = synced.get(app) ?? new Map<string, string>();
  synced.set(app, seen);
  const root = app.config.mediaRoot;
  for (const file of walk(root)) {
    const stat = fs.statSync(file);
    const stamp = `${stat.size}:${stat.mtimeMs}`;
    const key = path.relative(root, file).split(path.sep).join('/');
    if (seen.get(key) === stamp) continue;
    await s3.client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: fs.readFileSync(file), ContentLength: stat.size }),
    );
    seen.set(key, stamp);
  }
}

/** Whether the app's store holds the file of a media:// reference (or path under the media root). */
export async function storedExists(app: App, ref: string): Promise<boolean> {
  const rel = ref.startsWith('media://') ? ref.slice('media://'.length) : ref;
  const s3 = clientOf(app);
  if (!s3) return fs.existsSync(path.join(app.config.mediaRoot, rel));
  try {
    await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: rel }));
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'NotFound') return false;
    throw err;
  }
}

/** The stored files under a folder (`uploads`), by name: the local folder's or the bucket's. */
export async function storedNames(app: App, folder: string): Promise<string[]> {
  const s3 = clientOf(app);
  if (!s3) {
    const dir = path.join(app.config.mediaRoot, folder);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
  }
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${folder}/` }));
  return (out.Contents ?? []).map((o) => o.Key!.slice(folder.length + 1)).filter((n) => !n.includes('/'));
}

export function disposeStoreClient(app: App): void {
  clients.get(app)?.destroy();
  clients.delete(app);
}

function* walk(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile() && !entry.name.startsWith('.')) yield full;
  }
}
