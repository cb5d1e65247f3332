import type { App } from '../../src/app/start-app';
import { codes, describeMode, gql, MODES, tokenFor, upload, useApp } from './harness';
import { storedExists, storedNames } from './object-store';

const REGISTER = `mutation($i: RegisterVideoInput!) { registerVideo(input: $i) { video { id } } }`;
const onDisk = storedExists;
const uploadsDir = (app: App) => storedNames(app, 'uploads');

describe.each(MODES)('upload quota', (mode) => {
  describeMode(mode, () => {
    const use = useApp(mode, {
      RUN_JOBS: 'false',
      DEMO_CATALOG: 'false',
      UPLOAD_QUOTA_COUNT: '3',
      UPLOAD_QUOTA_BYTES: '2048',
    });

    it('refuses uploads past the count of unregistered ones with 429 QUOTA_EXCEEDED, keeping nothing', async () => {
      const app = use();
      const alice = await tokenFor(app, 'app', 'alice');
      const ups = [];
      for (const n of ['a', 'b', 'a', 'c']) ups.push(await upload(app, alice, Buffer.from(`alice-${n}`)));
      // The same bytes again are the same upload (same mediaUri), not one more.
      expect(ups.map((u) => u.status)).toEqual([201, 201, 201, 201]);
      expect(ups[2]!.mediaUri).toBe(ups[0]!.mediaUri);
      const files = (await uploadsDir(app)).length;

      // At the quota: refused before a byte is stored.
      const fourth = await upload(app, alice, Buffer.from('alice-d'));
      expect(fourth).toMatchObject({
        status: 429,
        error: { code: 'QUOTA_EXCEEDED', details: { unregisteredUploads: 3, quotaCount: 3 } },
      });
      expect(await uploadsDir(app)).toHaveLength(files);
      // Another user has a quota of their own.
      expect((await upload(app, await tokenFor(app, 'app', 'bob'), Buffer.from('bob-a'))).status).toBe(201);

      // A registered upload no longer counts.
      expect((await gql(app, REGISTER, { i: { mediaUri: ups[0]!.mediaUri } }, alice)).errors).toBeUndefined();
      const fifth = await upload(app, alice, Buffer.from('alice-d'));
      expect(fifth.status).toBe(201);
      expect(await onDisk(app, fifth.mediaUri!)).toBe(true);
    });

    it('refuses an upload that would take the unregistered bytes past the quota, and removes it', async () => {
      const app = use();
      const carol = await tokenFor(app, 'app', 'carol');
      expect((await upload(app, carol, Buffer.alloc(1500, 1))).status).toBe(201);
      const files = (await uploadsDir(app)).length;
      const over = await upload(app, carol, Buffer.alloc(600, 2));
      expect(over).toMatchObject({ status: 429, error: { code: 'QUOTA_EXCEEDED', details: { quotaBytes: 2048 } } });
      expect(await uploadsDir(app)).toHaveLength(files);
      expect((await upload(app, carol, Buffer.alloc(500, 3))).status).toBe(201);
    });

    it('refuses a token without exp at the upload route too', async () => {
      const app = use();
      const { SignJWT } = await import('jose');
      const forever = await new SignJWT({ roles: ['app'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('eve')
        .setIssuer(app.config.auth.issuer)
        .setAudience(app.config.auth.audience)
        .sign(new TextEncoder().encode(app.authenticator['settings'].secret));
      expect(await upload(app, forever, Buffer.from('eve'))).toMatchObject({
        status: 401,
        error: { code: 'UNAUTHENTICATED', message: 'Token has no expiry (exp)' },
      });
      expect(codes(await gql(app, '{ videos(first: 1) { edges { node { id } } } }', {}, forever))).toEqual([
        'UNAUTHENTICATED',
      ]);
    });
  });
});

describe.each(MODES)('unregistered upload sweep', (mode) => {
  describeMode(mode, () => {
    const use = useApp(mode, { RUN_JOBS: 'false', DEMO_CATALOG: 'false', UPLOAD_UNREGISTERED_MAX_AGE_HOURS: '24' });
    const age = (app: App, owner: string, hours: number) =>
      app.db.prisma.upload.updateMany({
        where: { ownerId: owner },
        data: { createdAt: new Date(Date.now() - hours * 3_600_000) },
      });

    it('deletes uploads left unregistered past the bound, keeping registered ones and files others hold', async () => {
      const app = use();
      const alice = await tokenFor(app, 'app', 'alice');
      const bob = await tokenFor(app, 'app', 'bob');
      const carol = await tokenFor(app, 'app', 'carol');
      const shared = (await upload(app, alice, Buffer.from('shared-bytes'))).mediaUri!;
      const kept = (await upload(app, alice, Buffer.from('registered-bytes'))).mediaUri!;
      expect((await gql(app, REGISTER, { i: { mediaUri: kept } }, alice)).errors).toBeUndefined();
      const bobs = (await upload(app, bob, Buffer.from('bob-bytes'))).mediaUri!;
      expect((await upload(app, carol, Buffer.from('shared-bytes'))).mediaUri).toBe(shared);
      // An admin's upload ingested as a catalog track is registered by the ingestion.
      const admin = { id: 'admin-user', roles: ['admin' as const] };
      const catalog = (await upload(app, await tokenFor(app, 'admin'), Buffer.from('track-bytes'), 't.ogg')).mediaUri!;
      await app.services.ingest.ingestTracks(admin, [
        { mediaUri: catalog, title: 't', artist: 'a', tags: [], moods: [] },
      ]);
      await age(app, 'admin-user', 25);
      await age(app, 'alice', 25);
      await age(app, 'bob', 25);
      await age(app, 'carol', 23); // within the bound

      expect(await app.services.uploads.sweepUnregistered()).toEqual({ uploads: 2, files: 1, deferred: 0 });
      const rows = await app.db.prisma.upload.findMany({ orderBy: { ownerId: 'asc' } });
      expect(rows.map((r) => [r.ownerId, r.mediaUri])).toEqual([
        ['admin-user', catalog],
        ['alice', kept],
        ['carol', shared],
      ]);
      // Bob's file went; carol still holds the shared one; the registered one stays.
      expect(
        await Promise.all([onDisk(app, bobs), onDisk(app, shared), onDisk(app, kept), onDisk(app, catalog)]),
      ).toEqual([false, true, true, true]);
      expect(codes(await gql(app, REGISTER, { i: { mediaUri: bobs } }, bob))).toEqual(['BAD_USER_INPUT']);

      await age(app, 'carol', 25);
      expect(await app.services.uploads.sweepUnregistered()).toEqual({ uploads: 1, files: 1, deferred: 0 });
      expect(await onDisk(app, shared)).toBe(false);
      expect(await app.services.uploads.sweepUnregistered()).toEqual({ uploads: 0, files: 0, deferred: 0 });
    });
  });
});
