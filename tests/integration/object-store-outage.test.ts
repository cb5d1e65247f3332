import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { TcpProxy } from '../../bench/chaos/tcp-proxy';
import type { App } from '../../src/app/start-app';
import { startApp } from '../../src/app/start-app';
import { createLogger } from '../../src/common/logger';
import { MediaFixtures } from '../helpers/media-fixtures';
import { s3rverClient } from '../helpers/s3rver';
import { describeMode, gql, grantUploads, TestEnv, tokenFor } from './harness';
import { syncStagedMedia, testS3Endpoint } from './object-store';
import { ingest, modelDir, settledTracks, waitFor } from './pipeline-helpers';

/**
 * The object store unreachable (its connections refused) for OUTAGE_MS, the 30 s, while
 * tracks are being embedded. What decides the outcome is whether the outage outlasts a job's
 * retry budget: JOB_MAX_ATTEMPTS attempts, JOB_RETRY_BASE_MS doubling between them. The product
 * defaults (5 attempts, 2 s) wait 2+4+8+16 = 30 s in all, no margin over this outage; the test
 * states its own budget instead, 7 attempts from a 1 s base: 1+2+4+8+16+32 = 63 s, twice the
 * outage, with retries at 15 s and 31 s after the first failure so that recovery is measured
 * within a second or two of the store's return rather than at the end of a long backoff. Either
 * way each job ends: READY, or FAILED with the store's error as its reason; none is lost.
 */
const OUTAGE_MS = 30_000;
const RETRY_BUDGET = { JOB_RETRY_BASE_MS: '1000', JOB_MAX_ATTEMPTS: '7' };
const TRACKS = 6;

const run = modelDir() ? describeMode : (m: 'postgres+nats', fn: () => void) => describe.skip(`[${m}]`, fn);

describe('object store outage', () => {
  run('postgres+nats', () => {
    const env = new TestEnv('postgres+nats');
    const media = new MediaFixtures(env.mediaRoot);
    let app: App;
    let proxy: TcpProxy;

    beforeAll(async () => {
      const endpoint = new URL(testS3Endpoint()!);
      proxy = await TcpProxy.start({ host: endpoint.hostname, port: Number(endpoint.port) });
      const config = await env.config({
        MODEL_DIR: modelDir()!,
        RUN_JOBS: 'true',
        ...RETRY_BUDGET,
        S3_REQUEST_TIMEOUT_MS: '2000',
      });
      if (config.mediaStore.kind !== 's3') throw new Error('object store mode only');
      config.mediaStore = { ...config.mediaStore, endpoint: proxy.rewrite(config.mediaStore.endpoint!) };
      app = await startApp(config, createLogger(config.logLevel, { test: 'store-outage' }));
    });
    afterAll(async () => {
      proxy?.set('up');
      await app?.stop();
      await proxy?.close();
      await env.cleanup();
    });

    it(`loses no job when the store is down for ${OUTAGE_MS / 1000} s during an ingest`, async () => {
      const names = Array.from({ length: TRACKS }, (_, i) => {
        const name = `tone-${i}.wav`;
        media.generate(name, ['-f', 'lavfi', '-i', `sine=frequency=${220 + 55 * i}:duration=2`]);
        return name;
      });
      const ids = await ingest(
        app,
        names.map((n) => ({ mediaUri: n, title: n })),
      );
      // The ingest itself read the store (HEAD, hash); the workers' downloads meet the outage.
      proxy.set('down');
      const cutAt = Date.now();
      // Meanwhile /readyz says why this process is not ready (the worker and the API alike).
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      const { checks } = (await ready.json()) as { checks: Record<string, string> };
      expect(checks.objectStore).toMatch(/^bucket bgm-it-/);
      expect(checks.database).toBe('ok');
      await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - cutAt)));
      proxy.set('up');

      const tracks = await settledTracks(app, ids);
      const jobs = await app.db.prisma.job.findMany({ where: { kind: 'EMBED_TRACK' } });
      expect(jobs).toHaveLength(TRACKS);
      expect(jobs.filter((j) => j.status !== 'SUCCEEDED' && j.status !== 'FAILED')).toEqual([]);
      // Every track ends READY, or FAILED with the reason kept.
      for (const t of tracks) expect(t.status === 'READY' || (t.status === 'FAILED' && Boolean(t.error))).toBe(true);
      // The retry budget outlasts this outage: all READY, after retries the outage caused.
      expect(tracks.map((t) => t.status)).toEqual(tracks.map(() => 'READY'));
      expect(jobs.some((j) => j.attempts > 1)).toBe(true);
      process.stderr.write(
        `store outage of ${OUTAGE_MS / 1000} s: ready ${((Date.now() - cutAt) / 1000).toFixed(1)} s after the cut ` +
          `(attempts per job: ${jobs.map((j) => j.attempts).join(', ')})\n`,
      );
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    }, 150_000);

    it('answers /readyz 503 within seconds while the store accepts connections and never answers', async () => {
      proxy.set('blackhole');
      try {
        const started = Date.now();
        const ready = await fetch(`${app.url}/readyz`);
        const ms = Date.now() - started;
        expect(ready.status).toBe(503);
        expect(((await ready.json()) as { checks: Record<string, string> }).checks.objectStore).toMatch(
          /no answer within 2000 ms/,
        );
        expect(ms).toBeLessThan(3500);
      } finally {
        proxy.set('up');
      }
      await waitFor(
        async () => ((await fetch(`${app.url}/readyz`)).status === 200 ? true : undefined),
        'ready',
        20_000,
      );
    });

    it('defers a deletion the store refuses to the upload sweep, which completes it once the store is back', async () => {
      const token = await tokenFor(app, 'app', 'erin');
      media.video('gone.mp4', 1, { size: '160x120' });
      await grantUploads(app, 'erin', 'gone.mp4');
      const reg = await gql(
        app,
        'mutation { registerVideo(input: { mediaUri: "gone.mp4" }) { video { id } } }',
        {},
        token,
      );
      const videoId = reg.data!.registerVideo.video.id as string;
      await syncStagedMedia(app);

      proxy.set('down');
      const del = await gql(
        app,
        'mutation($id: ID!) { deleteVideo(id: $id) { deletedFiles } }',
        { id: videoId },
        token,
      );
      expect(del.errors).toBeUndefined();
      expect(del.data).toEqual({ deleteVideo: { deletedFiles: 1 } });
      // The video's file, and its previews' folder (previews/<videoId>/, empty here) with it.
      expect(await app.services.uploads.sweepUnregistered()).toMatchObject({ deferred: 2, files: 0 });
      proxy.set('up');

      // Looked at on the store directly, past the app's (proxied) address.
      const direct = s3rverClient(testS3Endpoint()!);
      const bucket = app.config.mediaStore.kind === 's3' ? app.config.mediaStore.bucket : '';
      const exists = () =>
        direct.send(new HeadObjectCommand({ Bucket: bucket, Key: 'gone.mp4' })).then(
          () => true,
          () => false,
        );
      try {
        expect(await exists()).toBe(true);
        expect(await app.services.uploads.sweepUnregistered()).toMatchObject({ deferred: 0, files: 2 });
        expect(await exists()).toBe(false);
        expect(await app.db.prisma.upload.count({ where: { mediaUri: 'media://gone.mp4' } })).toBe(0);
        expect(await app.db.prisma.upload.count({ where: { mediaUri: `media://previews/${videoId}/` } })).toBe(0);
      } finally {
        direct.destroy();
      }
    });
  });
});
