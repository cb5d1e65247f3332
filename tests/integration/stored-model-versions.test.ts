import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { App } from '../../src/app/start-app';
import { startApp } from '../../src/app/start-app';
import { createLogger } from '../../src/common/logger';
import { ModelIntegrityError } from '../../src/inference/model-manifest';
import { ModelStore } from '../../src/modules/model-version/model-store';
import { openMediaStorage } from '../../src/storage/open-media-storage';
import { MediaFixtures } from '../helpers/media-fixtures';
import { s3rverClient } from '../helpers/s3rver';
import { describeMode, TestEnv } from './harness';
import { storedNames, testS3Endpoint } from './object-store';
import { ingest, modelDir, settledTracks } from './pipeline-helpers';

const run = modelDir() ? describeMode : (m: 'postgres+nats', fn: () => void) => describe.skip(`[${m}]`, fn);

/**
 * MEDIA_STORE=s3: the API registers MODEL_DIR by uploading it to the bucket, and a worker with a
 * data folder of its own embeds with the copy it downloaded from there, checked against the
 * manifest's hashes. The folder mode keeps file:// versions (every other integration test).
 */
describe('model versions in the object store', () => {
  run('postgres+nats', () => {
    const env = new TestEnv('postgres+nats');
    const media = new MediaFixtures(env.mediaRoot);
    const workerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-it-worker-'));
    let api: App;
    let worker: App;

    beforeAll(async () => {
      // In this mode the API runs no jobs: every embedding below happens on the worker.
      api = await env.start({ MODEL_DIR: modelDir()! });
      const config = await env.config({ DATA_DIR: workerDir, MODEL_DIR: modelDir()! });
      worker = await startApp(config, createLogger(config.logLevel, { test: 'stored-model-worker' }), 'worker');
    });
    afterAll(async () => {
      await worker?.stop();
      await api?.stop();
      await env.cleanup();
      fs.rmSync(workerDir, { recursive: true, force: true });
    });

    it('uploads a registered version under models/ and embeds with the copy a worker downloads', async () => {
      expect(api.jobs).toBeUndefined();
      const model = (await api.repos.models.findActive())!;
      const prefix = `models/${model.name}/${model.version}`;
      expect(model.artifactUri).toBe(`media://${prefix}`);
      expect((await storedNames(api, prefix)).sort()).toEqual(['bgm.onnx', 'manifest.json', 'query.onnx']);

      media.generate('tone.wav', ['-f', 'lavfi', '-i', 'sine=frequency=330:duration=2']);
      const [track] = await settledTracks(api, await ingest(api, [{ mediaUri: 'tone.wav', title: 'tone' }]));
      expect(track).toMatchObject({ status: 'READY' });
      const cached = path.join(workerDir, 'model-cache', ...prefix.split('/'));
      expect(fs.readdirSync(cached).sort()).toEqual(['bgm.onnx', 'manifest.json', 'query.onnx']);
    });

    it('refuses a version whose object in the bucket was altered, and keeps nothing of it', async () => {
      const model = (await api.repos.models.findActive())!;
      const bucket = api.config.mediaStore.kind === 's3' ? api.config.mediaStore.bucket : '';
      const direct = s3rverClient(testS3Endpoint()!);
      try {
        await direct.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `models/${model.name}/${model.version}/bgm.onnx`,
            Body: Buffer.from('not the exported graph'),
          }),
        );
      } finally {
        direct.destroy();
      }
      // A process that has not loaded the version yet (a new worker): a fresh cache folder.
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-it-model-cache-'));
      try {
        const store = new ModelStore({ store: openMediaStorage(worker.config), cacheDir });
        const err = await store.folder(model).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ModelIntegrityError);
        expect((err as Error).message).toMatch(/bgm\.onnx: sha256 [0-9a-f]{64} differs from the manifest's/);
        expect(fs.readdirSync(path.join(cacheDir, 'models', model.name))).toEqual([]);
      } finally {
        fs.rmSync(cacheDir, { recursive: true, force: true });
      }
    });
  });
});
