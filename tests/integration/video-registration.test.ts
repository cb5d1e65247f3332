import fs from 'node:fs';
import path from 'node:path';
import { makeVideo } from '../helpers/media';
import { codes, describeMode, gql, grantUploads, MODES, tokenFor, upload, useApp } from './harness';

const REGISTER = `mutation($i: RegisterVideoInput!) { registerVideo(input: $i) { video { id } job { id } } }`;

describe.each(MODES)('registerVideo idempotency', (mode) => {
  describeMode(mode, () => {
    const use = useApp(mode, { RUN_JOBS: 'false', DEMO_CATALOG: 'false' });

    const setup = async () => {
      const app = use();
      makeVideo(app.config.mediaRoot, 'a.mp4', 1);
      makeVideo(app.config.mediaRoot, 'b.mp4', 1);
      await grantUploads(app, 'alice', 'a.mp4', 'b.mp4');
      await grantUploads(app, 'bob', 'a.mp4');
      return { app, alice: await tokenFor(app, 'app', 'alice'), bob: await tokenFor(app, 'app', 'bob') };
    };
    const rows = (app: ReturnType<typeof use>, owner: string) =>
      app.db.prisma.video.count({ where: { ownerId: owner } });

    it('returns the first registration to a retry with the same key, and refuses the key for other input', async () => {
      const { app, alice, bob } = await setup();
      const first = await gql(app, REGISTER, { i: { mediaUri: 'a.mp4', idempotencyKey: 'k-1' } }, alice);
      expect(first.errors).toBeUndefined();
      const again = await gql(app, REGISTER, { i: { mediaUri: 'a.mp4', idempotencyKey: 'k-1' } }, alice);
      expect(again.data).toEqual(first.data);
      expect(await rows(app, 'alice')).toBe(1);
      const videoId = first.data!.registerVideo.video.id as string;
      expect(await app.db.prisma.job.count({ where: { payload: { path: ['videoId'], equals: videoId } } })).toBe(1);

      const other = await gql(app, REGISTER, { i: { mediaUri: 'b.mp4', idempotencyKey: 'k-1' } }, alice);
      expect(codes(other)).toEqual(['CONFLICT']);
      expect(await rows(app, 'alice')).toBe(1);

      // Keys are per owner; without a key every call registers a new video.
      const bobs = await gql(app, REGISTER, { i: { mediaUri: 'a.mp4', idempotencyKey: 'k-1' } }, bob);
      expect(bobs.data!.registerVideo.video.id).not.toBe(videoId);
      await gql(app, REGISTER, { i: { mediaUri: 'a.mp4' } }, alice);
      await gql(app, REGISTER, { i: { mediaUri: 'a.mp4' } }, alice);
      expect(await rows(app, 'alice')).toBe(3);
    });

    it('registers once when retries race', async () => {
      const { app, alice } = await setup();
      const before = await rows(app, 'alice');
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          gql(app, REGISTER, { i: { mediaUri: 'a.mp4', idempotencyKey: 'race-1' } }, alice),
        ),
      );
      expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
      expect(new Set(results.map((r) => r.data!.registerVideo.video.id)).size).toBe(1);
      expect(new Set(results.map((r) => r.data!.registerVideo.job.id)).size).toBe(1);
      expect(await rows(app, 'alice')).toBe(before + 1);
    });

    it('bounds the key', async () => {
      const { app, alice } = await setup();
      const before = await rows(app, 'alice');
      for (const idempotencyKey of ['', 'x'.repeat(129), 'has space', 'ü']) {
        expect(codes(await gql(app, REGISTER, { i: { mediaUri: 'a.mp4', idempotencyKey } }, alice))).toEqual([
          'BAD_USER_INPUT',
        ]);
      }
      expect(await rows(app, 'alice')).toBe(before);
    });
  });
});

describe.each(MODES)('registerVideo ownership', (mode) => {
  describeMode(mode, () => {
    const use = useApp(mode, { RUN_JOBS: 'false', DEMO_CATALOG: 'false' });

    it("accepts only the caller's own uploads; another's upload, a catalog file and no file answer alike", async () => {
      const app = use();
      const alice = await tokenFor(app, 'app', 'alice');
      const mallory = await tokenFor(app, 'app', 'mallory');
      const up = await upload(app, alice, Buffer.from('alice-video-bytes'), 'holiday.mp4');
      expect(up.status).toBe(201);
      const alicesUpload = up.mediaUri!;
      fs.mkdirSync(path.join(app.config.mediaRoot, 'demo'), { recursive: true });
      fs.writeFileSync(path.join(app.config.mediaRoot, 'demo', 'manifest.json'), '{}');

      const refused = async (i: Record<string, string>) => {
        const res = await gql(app, REGISTER, { i }, mallory);
        return { code: codes(res), message: res.errors?.[0]?.message, data: res.data };
      };
      // The same answer whether the file exists (someone else's) or not: no existence oracle.
      for (const ref of [
        alicesUpload,
        'media://demo/manifest.json',
        'demo/manifest.json',
        'media://uploads/nope.mp4',
      ]) {
        expect(await refused({ mediaUri: ref })).toEqual({
          code: ['BAD_USER_INPUT'],
          message: `mediaUri: no upload of yours at ${ref}`,
          data: null,
        });
      }
      const own = await upload(app, mallory, Buffer.from('mallory-video-bytes'), 'mine.mp4');
      expect(await refused({ mediaUri: own.mediaUri!, voiceOverUri: alicesUpload })).toMatchObject({
        code: ['BAD_USER_INPUT'],
        message: `voiceOverUri: no upload of yours at ${alicesUpload}`,
      });
      expect(await app.db.prisma.video.count({ where: { ownerId: 'mallory' } })).toBe(0);

      // Her own upload, by its answer's mediaUri: registered (and no longer unregistered).
      const mine = await gql(app, REGISTER, { i: { mediaUri: alicesUpload } }, alice);
      expect(mine.errors).toBeUndefined();
      const row = await app.db.prisma.upload.findUniqueOrThrow({
        where: { mediaUri_ownerId: { mediaUri: alicesUpload, ownerId: 'alice' } },
      });
      expect(row.registeredAt).not.toBeNull();
    });
  });
});
