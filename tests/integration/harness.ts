import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { type App, startApp } from '../../src/app/start-app';
import type { Role } from '../../src/auth/principal';
import { createLogger } from '../../src/common/logger';
import { type AppConfig, loadConfig } from '../../src/config/config';
import { disposeStoreClient, s3Env, syncStagedMedia, testS3Endpoint } from './object-store';
import { TEST_NATS_URL, TEST_PG_URL } from './services-probe';
import { createBucket } from '../helpers/s3rver';

export type ModeName = 'embedded' | 'postgres+nats';

/**
 * The integration suite runs once per mode: the embedded default (PGlite + in-process queue, media
 * in a local folder) and the real services (Postgres + pgvector, NATS JetStream, media in an
 * S3-compatible bucket on s3rver). The names appear in test titles, and .ci/run checks that the
 * postgres+nats ones ran.
 */
export const MODES: ModeName[] = ['embedded', 'postgres+nats'];

export const servicesAvailable = () => process.env.BGM_SERVICES_AVAILABLE === '1';

/** `describe` for a mode, skipped (with a visible reason) when its services are not there. */
export function describeMode(mode: ModeName, fn: () => void): void {
  const d = mode === 'postgres+nats' && !servicesAvailable() ? describe.skip : describe;
  d(`[${mode}]`, fn);
}

/**
 * An app in its own environment for the enclosing describe: started before its tests, stopped
 * and cleaned up after. Call the returned function inside a test to get the app.
 */
export function useApp(mode: ModeName, overrides: Record<string, string> = {}): () => App {
  const env = new TestEnv(mode);
  let app: App | undefined;
  beforeAll(async () => {
    app = await env.start(overrides);
  });
  afterAll(async () => {
    if (app) disposeStoreClient(app);
    await app?.stop();
    await env.cleanup();
  });
  return () => {
    if (!app) throw new Error('the app is not started (use it inside a test)');
    return app;
  };
}

/** One isolated environment: its own data folder, and its own database and stream in services mode. */
export class TestEnv {
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-it-'));
  readonly id = randomBytes(4).toString('hex');
  private dbName?: string;
  private bucketMade = false;

  constructor(readonly mode: ModeName) {}

  get mediaRoot(): string {
    return path.join(this.dataDir, 'media');
  }

  async config(overrides: Record<string, string> = {}): Promise<AppConfig> {
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATA_DIR: this.dataDir,
      OUTBOX_POLL_MS: '50',
      DEMO_CATALOG: 'false',
      ...overrides,
    };
    if (this.mode === 'postgres+nats') {
      env.DATABASE_URL = await this.database();
      env.NATS_URL = TEST_NATS_URL;
      env.NATS_STREAM = `BGM_IT_${this.id}`;
      env.NATS_SUBJECT_PREFIX = `bgm-it-${this.id}.jobs`;
      Object.assign(env, await this.mediaStoreEnv());
    }
    return loadConfig(env);
  }

  async start(overrides: Record<string, string> = {}): Promise<App> {
    const config = await this.config(overrides);
    return startApp(config, createLogger(config.logLevel, { test: this.mode }));
  }

  /**
   * The postgres+nats mode's media store: a bucket of this environment's own on the run's s3rver
   * (left to the server's temp folder). Also for worker processes a test spawns.
   */
  async mediaStoreEnv(): Promise<Record<string, string>> {
    // BGM_TEST_MEDIA_STORE=local: the services mode on the folder (to tell a store problem from others).
    if (this.mode !== 'postgres+nats' || process.env.BGM_TEST_MEDIA_STORE === 'local') return {};
    const endpoint = testS3Endpoint();
    if (!endpoint) throw new Error('BGM_TEST_S3_ENDPOINT is not set: global-setup.ts starts the object store');
    const bucket = `bgm-it-${this.id}`;
    if (!this.bucketMade) {
      await createBucket(endpoint, bucket);
      this.bucketMade = true;
    }
    return s3Env(endpoint, bucket);
  }

  /** A fresh database per environment, dropped in cleanup. */
  private async database(): Promise<string> {
    if (!this.dbName) {
      this.dbName = `bgm_it_${this.id}`;
      await adminQuery(`CREATE DATABASE ${this.dbName}`);
    }
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${this.dbName}`;
    return url.toString();
  }

  async cleanup(): Promise<void> {
    if (this.dbName) await adminQuery(`DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
}

/** A GraphQL call over real HTTP, as an app would make it. */
export async function gql<T = Record<string, any>>(
  app: App,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResponse<T>> {
  await syncStagedMedia(app);
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as Omit<GqlResponse<T>, 'status'>) };
}

export const tokenFor = (app: App, role: Role, sub = `${role}-user`) => app.authenticator.sign(sub, [role]);

/** POST /media/uploads over real HTTP, as an app uploads a video before registering it. */
export async function upload(
  app: App,
  token: string | undefined,
  body: Buffer,
  filename = 'clip.mp4',
): Promise<{ status: number; mediaUri?: string; sizeBytes?: number; error?: { code: string; message: string } }> {
  const res = await fetch(`${app.url}/media/uploads`, {
    method: 'POST',
    headers: { 'x-filename': filename, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: new Uint8Array(body),
  });
  return { status: res.status, ...((await res.json()) as object) };
}

/**
 * Records files a test put in the media root as uploaded by `ownerId`, as POST /media/uploads
 * would have: registerVideo accepts only the caller's own uploads.
 */
export async function grantUploads(app: App, ownerId: string, ...names: string[]): Promise<void> {
  await syncStagedMedia(app);
  for (const name of names) await app.services.uploads.recordExisting(ownerId, name);
}

export const codes = (r: GqlResponse) => (r.errors ?? []).map((e) => e.extensions?.code);
