import type { App } from '../../src/app/start-app';
import { MediaFixtures } from '../helpers/media-fixtures';
import { codes, describeMode, gql, TestEnv, tokenFor, useApp } from './harness';
import { storedExists } from './object-store';
import { modelDir, settledVideo } from './pipeline-helpers';

const CREATE = `mutation($kind: UploadKind!, $type: String!, $bytes: SafeInt!) {
  createUpload(kind: $kind, contentType: $type, bytes: $bytes) { mediaUri url method expiresAt headers { name value } }
}`;
const REGISTER = `mutation($i: RegisterVideoInput!) { registerVideo(input: $i) { video { id status } } }`;
const DELETE = `mutation($id: ID!) { deleteVideo(id: $id) { deletedFiles } }`;

interface Presigned {
  mediaUri: string;
  url: string;
  method: string;
  headers: { name: string; value: string }[];
}

async function createUpload(app: App, token: string, kind: string, type: string, bytes: number) {
  return gql<{ createUpload: Presigned }>(app, CREATE, { kind, type, bytes }, token);
}

/** The client's PUT straight to the store, with the signed headers (content-length is fetch's own). */
async function put(up: Presigned, body: Buffer, contentType?: string): Promise<number> {
  const type = contentType ?? up.headers.find((h) => h.name === 'content-type')!.value;
  const res = await fetch(up.url, { method: up.method, headers: { 'content-type': type }, body: new Uint8Array(body) });
  await res.arrayBuffer();
  return res.status;
}

describe('direct uploads (createUpload)', () => {
  describeMode('embedded', () => {
    const use = useApp('embedded', { RUN_JOBS: 'false' });

    it('answers FAILED_PRECONDITION on the local folder: POST /media/uploads is the way there', async () => {
      const app = use();
      const res = await createUpload(app, await tokenFor(app, 'app'), 'VIDEO', 'video/mp4', 1000);
      expect(codes(res)).toEqual(['FAILED_PRECONDITION']);
    });
  });

  describeMode('postgres+nats', () => {
    const env = new TestEnv('postgres+nats');
    const media = new MediaFixtures();
    let app: App;
    let alice: string;
    const run = modelDir() ? it : it.skip;

    beforeAll(async () => {
      app = await env.start({
        ...(modelDir() ? { MODEL_DIR: modelDir()! } : {}),
        RUN_JOBS: 'true',
        MAX_MEDIA_BYTES: String(8 * 1024 * 1024),
        UPLOAD_QUOTA_COUNT: '4',
        JOB_RETRY_BASE_MS: '100',
      });
      alice = await tokenFor(app, 'app', 'alice');
    });
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    run(
      'uploads a video straight to the bucket, registers and embeds it, and deleting it removes the object',
      async () => {
        const file = await import('node:fs').then((fs) => fs.readFileSync(media.video('direct.mp4', 3)));
        const res = await createUpload(app, alice, 'VIDEO', 'video/mp4', file.length);
        expect(res.errors).toBeUndefined();
        const up = res.data!.createUpload;
        expect(up.mediaUri).toMatch(/^media:\/\/uploads\/direct\//);
        expect(up.url.startsWith(app.config.mediaStore.kind === 's3' ? app.config.mediaStore.endpoint! : '')).toBe(
          true,
        );
        expect(await put(up, file)).toBe(200);

        const reg = await gql(app, REGISTER, { i: { mediaUri: up.mediaUri } }, alice);
        expect(reg.errors).toBeUndefined();
        const videoId = reg.data!.registerVideo.video.id as string;
        const video = await settledVideo(app, videoId);
        expect([video.status, video.error]).toEqual(['READY', null]);

        // The worker read its own scratch copy and left nothing behind.
        expect(await storedExists(app, up.mediaUri)).toBe(true);
        const del = await gql(app, DELETE, { id: videoId }, alice);
        expect(del.data).toEqual({ deleteVideo: { deletedFiles: 1 } });
        expect(await storedExists(app, up.mediaUri)).toBe(false);
      },
    );

    it('refuses at registration an object of another size or type than declared, deleting it and its upload', async () => {
      const bigger = (await createUpload(app, alice, 'VIDEO', 'video/mp4', 100)).data!.createUpload;
      // s3rver does not check SigV4 signatures, so this PUT succeeds; AWS S3 and MinIO refuse it.
      expect(await put(bigger, Buffer.alloc(150, 1))).toBe(200);
      const wrongType = (await createUpload(app, alice, 'VOICE_OVER', 'audio/ogg', 64)).data!.createUpload;
      expect(await put(wrongType, Buffer.alloc(64, 2), 'text/html')).toBe(200);

      for (const [up, what] of [
        [bigger, 'is 150 bytes, not the 100 declared'],
        [wrongType, 'has content type text/html, not the audio/ogg declared'],
      ] as const) {
        const reg = await gql(app, REGISTER, { i: { mediaUri: up.mediaUri } }, alice);
        expect(codes(reg)).toEqual(['BAD_USER_INPUT']);
        expect(reg.errors![0]!.message).toContain(what);
        expect(await storedExists(app, up.mediaUri)).toBe(false);
        expect(await app.db.prisma.upload.count({ where: { mediaUri: up.mediaUri } })).toBe(0);
      }
    });

    it('answers typed errors for a bad kind, type, size or role, and counts direct uploads against the quota', async () => {
      const bob = await tokenFor(app, 'app', 'bob');
      expect(codes(await createUpload(app, bob, 'VIDEO', 'text/html', 10))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await createUpload(app, bob, 'VIDEO', 'video/mp4', 0))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await createUpload(app, bob, 'VIDEO', 'video/mp4', 8 * 1024 * 1024 + 1))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(codes(await createUpload(app, bob, 'TRACK', 'audio/ogg', 10))).toEqual(['FORBIDDEN']);
      expect(codes(await createUpload(app, bob, 'NOPE', 'video/mp4', 10))).toEqual(['BAD_USER_INPUT']);
      for (let i = 0; i < 4; i++) {
        expect((await createUpload(app, bob, 'VIDEO', 'video/mp4; codecs=avc1', 10 + i)).errors).toBeUndefined();
      }
      expect(codes(await createUpload(app, bob, 'VIDEO', 'video/mp4', 10))).toEqual(['QUOTA_EXCEEDED']);
      // Someone else's direct upload is not bob's to register.
      const carols = (await createUpload(app, await tokenFor(app, 'app', 'carol'), 'VIDEO', 'video/mp4', 10)).data!
        .createUpload;
      expect(codes(await gql(app, REGISTER, { i: { mediaUri: carols.mediaUri } }, bob))).toEqual(['BAD_USER_INPUT']);
    });

    it('sweeps direct uploads never registered, object included', async () => {
      const dave = await tokenFor(app, 'app', 'dave');
      const up = (await createUpload(app, dave, 'VOICE_OVER', 'audio/wav', 32)).data!.createUpload;
      expect(await put(up, Buffer.alloc(32, 3))).toBe(200);
      await app.db.prisma.upload.updateMany({
        where: { ownerId: 'dave' },
        data: { createdAt: new Date(Date.now() - 25 * 3_600_000) },
      });
      expect(await app.services.uploads.sweepUnregistered()).toMatchObject({ uploads: 1, files: 1 });
      expect(await storedExists(app, up.mediaUri)).toBe(false);
    });
  });
});
