import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AppError, ErrorCode } from '../../../src/common/errors';
import { MediaError, MediaErrorCode } from '../../../src/media/media-error';
import { S3MediaStorage, type S3StoreConfig } from '../../../src/storage/s3-media-storage';
import { S3RVER_CREDENTIALS, S3rverProcess } from '../../helpers/s3rver';

const BUCKET = 'bgm-unit';
const MAX = 4096;

describe('S3MediaStorage against s3rver', () => {
  const server = new S3rverProcess();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-s3-scratch-'));
  let storage: S3MediaStorage;
  const settings = (): S3StoreConfig => ({
    kind: 's3',
    bucket: BUCKET,
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    presignExpirySeconds: 300,
    requestTimeoutMs: 3000,
  });

  beforeAll(async () => {
    await server.start();
    await server.createBucket(BUCKET);
    storage = new S3MediaStorage(settings(), MAX, scratch);
  }, 30_000); // a process start, slow on a busy 2-core machine
  afterAll(async () => {
    storage?.client.destroy();
    await server.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  }, 30_000);

  const putDirect = async (bytes: Buffer, contentType: string, declared = bytes.length, sentType = contentType) => {
    const up = await storage.presignUpload({ extension: '.mp4', contentType, bytes: declared });
    const res = await fetch(up.url, {
      method: 'PUT',
      headers: { 'content-type': sentType },
      body: new Uint8Array(bytes),
    });
    return { up, status: res.status };
  };

  it('stores an upload under its content hash, reads it back, and deletes it', async () => {
    const body = Buffer.from('pretend these are mp4 bytes');
    const saved = await storage.saveUpload(Readable.from([body]), '.mp4');
    expect(saved.uri).toMatch(/^media:\/\/uploads\/[0-9a-f]{64}\.mp4$/);
    expect(saved).toMatchObject({ sizeBytes: body.length, created: true });
    // The same bytes again: the same object, not a new one.
    expect(await storage.saveUpload(Readable.from([body]), '.mp4')).toMatchObject({ uri: saved.uri, created: false });
    expect(fs.readdirSync(path.join(scratch, 'uploads')).filter((f) => !f.startsWith('.'))).toEqual([]);

    const located = await storage.locate(saved.uri, 'mediaUri');
    expect(located).toEqual({ uri: saved.uri, sizeBytes: body.length });
    expect(await storage.sha256(located)).toBe(saved.sha256);
    const read = await storage.withLocalFile(saved.uri, (file) => fs.promises.readFile(file));
    expect(read.equals(body)).toBe(true);

    await storage.discard(saved.uri);
    await expect(storage.locate(saved.uri, 'mediaUri')).rejects.toMatchObject({ code: ErrorCode.BadUserInput });
    await expect(storage.withLocalFile(saved.uri, () => Promise.resolve(1))).rejects.toMatchObject({
      code: MediaErrorCode.NotFound,
    });
    // Deleting what is gone is not an error (deletion retries may run twice).
    await expect(storage.discard(saved.uri)).resolves.toBeUndefined();
  });

  it('puts a local file under a given reference, as the demo loader and operators do', async () => {
    const file = path.join(scratch, 'song.ogg');
    fs.writeFileSync(file, 'OggS demo bytes');
    await storage.putFile(file, 'media://demo/music/song.ogg');
    expect(await storage.locate('demo/music/song.ogg', 'mediaUri')).toEqual({
      uri: 'media://demo/music/song.ogg',
      sizeBytes: 15,
    });
    await expect(storage.putFile(file, '../escape.ogg')).rejects.toMatchObject({ code: ErrorCode.BadUserInput });
  });

  it('refuses an upload above the size limit and keeps nothing', async () => {
    await expect(storage.saveUpload(Readable.from([Buffer.alloc(MAX + 1)]), '.mp4')).rejects.toMatchObject({
      code: ErrorCode.BadUserInput,
    });
    expect(fs.readdirSync(path.join(scratch, 'uploads'))).toEqual([]);
  });

  it('refuses references outside the bucket layout', () => {
    for (const ref of ['file:///etc/passwd', 'https://example.com/a.mp4', 'media://../x', 'a//b', '/abs', '']) {
      expect(() => storage.uriOf(ref, 'mediaUri')).toThrow(AppError);
    }
    expect(storage.uriOf('uploads/x.mp4', 'mediaUri')).toBe('media://uploads/x.mp4');
  });

  it('takes a presigned PUT of the declared size and type, which then locates', async () => {
    const bytes = Buffer.from('a direct upload of 33 bytes......');
    const { up, status } = await putDirect(bytes, 'video/mp4');
    expect(status).toBe(200);
    expect(up.mediaUri).toMatch(new RegExp(`^media://uploads/direct/[0-9a-f-]{36}-${bytes.length}\\.mp4$`));
    expect(up.headers).toEqual({ 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
    expect(await storage.locate(up.mediaUri, 'mediaUri')).toEqual({ uri: up.mediaUri, sizeBytes: bytes.length });
  });

  it('signs the declared size and type into the PUT, and refuses at registration an object of another size or type', async () => {
    const up = await storage.presignUpload({ extension: '.mp4', contentType: 'video/mp4', bytes: 100 });
    // AWS S3, MinIO and Ceph refuse a PUT whose signed headers differ. s3rver does not check SigV4
    // signatures at all (its authentication middleware: "Signature version 4 calculation is
    // unimplemented"), so here the PUTs succeed and the check at registration is what refuses them.
    expect(new URL(up.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    const bigger = await putDirect(Buffer.alloc(200, 1), 'video/mp4', 100);
    const otherType = await putDirect(Buffer.alloc(100, 1), 'video/mp4', 100, 'text/html');
    for (const { up: upload } of [bigger, otherType]) {
      await expect(storage.locate(upload.mediaUri, 'mediaUri')).rejects.toMatchObject({
        code: ErrorCode.BadUserInput,
        details: { rejectedUpload: true },
      });
      // Deleted: nothing is kept.
      await expect(storage.withLocalFile(upload.mediaUri, () => Promise.resolve(1))).rejects.toMatchObject({
        code: MediaErrorCode.NotFound,
      });
    }
  });

  it('deletes, at registration, a direct upload whose object differs from what was declared', async () => {
    // A client that ignores the signed URL and writes the key some other way (or a store that
    // does not check signed headers): the check at registration still holds.
    const up = await storage.presignUpload({ extension: '.mp4', contentType: 'video/mp4', bytes: 10 });
    const key = up.mediaUri.slice('media://'.length);
    const admin = server.client();
    try {
      await admin.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'ten bytes!', ContentType: 'text/html' }),
      );
      await expect(storage.locate(up.mediaUri, 'mediaUri')).rejects.toMatchObject({
        code: ErrorCode.BadUserInput,
        details: { rejectedUpload: true },
      });
      await expect(admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({
        name: 'NotFound',
      });
    } finally {
      admin.destroy();
    }
  });

  it('answers SERVICE_UNAVAILABLE to callers, and a retryable error to jobs, while the store is down', async () => {
    const saved = await storage.saveUpload(Readable.from([Buffer.from('kept across the outage')]), '.ogg');
    await server.stop();
    try {
      await expect(storage.locate(saved.uri, 'mediaUri')).rejects.toMatchObject({
        code: ErrorCode.ServiceUnavailable,
      });
      const err = await storage.withLocalFile(saved.uri, () => Promise.resolve(1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err instanceof MediaError).toBe(false);
    } finally {
      await server.start();
    }
    expect(await storage.locate(saved.uri, 'mediaUri')).toMatchObject({ uri: saved.uri });
  }, 30_000);
});
