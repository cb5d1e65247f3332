import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AppError, badInput, ErrorCode } from '../common/errors';
import type { MediaStoreConfig } from '../config/media-store-config';
import { MediaError, MediaErrorCode } from '../media/media-error';
import { contentTypeOfExtension } from './direct-upload-types';
import {
  type DirectUpload,
  type DirectUploadRequest,
  LocalMediaStorage,
  type MediaStorage,
  type StoredMedia,
} from './media-storage';
import { directUploadKey, objectKeyOf, parseDirectUploadKey, uriOfKey } from './object-key';
import type { Fetched, UrlFetchPolicy } from './url-fetcher';
import { writeToFile } from './write-to-file';

export type S3StoreConfig = Extract<MediaStoreConfig, { kind: 's3' }>;

/** An object (or a range of it) being read for an HTTP answer. */
export interface StoredRead {
  body: Readable;
  contentLength: number;
  /** `bytes <from>-<to>/<size>` when a range was asked for and given. */
  contentRange?: string;
}

/**
 * Media in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW...), keyed by the same relative paths
 * the local folder uses, so `media://uploads/<sha256>.mp4` names the same upload in either store.
 * Uploads through the API (POST /media/uploads, sourceUrl downloads) are hashed in a scratch
 * folder first, then put under their content hash, exactly as the local folder stores them;
 * direct uploads (presignUpload) go from the client to the bucket and never through the API.
 */
export class S3MediaStorage implements MediaStorage {
  readonly client: S3Client;
  /** Signs URLs with the address clients use (S3_PUBLIC_ENDPOINT), which the servers may not reach. */
  private readonly signer: S3Client;
  private readonly bucket: string;
  private readonly scratch: LocalMediaStorage;

  constructor(
    private readonly settings: S3StoreConfig,
    private readonly maxBytes: number,
    private readonly scratchDir: string,
    urlPolicy?: Omit<UrlFetchPolicy, 'maxBytes'>,
  ) {
    this.bucket = settings.bucket;
    this.client = s3Client(settings, settings.endpoint);
    this.signer = settings.publicEndpoint ? s3Client(settings, settings.publicEndpoint) : this.client;
    this.scratch = new LocalMediaStorage(scratchDir, maxBytes, urlPolicy);
  }

  async locate(ref: string, argument: string): Promise<StoredMedia> {
    const key = objectKeyOf(ref, argument);
    const head = await this.head(key);
    if (!head) throw badInput(`${argument}: no media file at ${ref}`, { argument });
    const size = head.ContentLength ?? 0;
    const direct = parseDirectUploadKey(key);
    if (direct) {
      // What the client stored must be what it declared and was signed for; stores that do not
      // enforce signed headers (or a client that used another tool) are caught here, and nothing is kept.
      const expectedType = contentTypeOfExtension(direct.extension);
      const problem =
        size !== direct.bytes
          ? `is ${size} bytes, not the ${direct.bytes} declared`
          : head.ContentType?.split(';')[0]?.trim().toLowerCase() !== expectedType
            ? `has content type ${head.ContentType ?? 'none'}, not the ${expectedType} declared`
            : undefined;
      if (problem) {
        await this.discard(uriOfKey(key));
        throw badInput(`${argument}: the upload ${problem}; it was deleted, upload it again`, {
          argument,
          rejectedUpload: true,
        });
      }
    }
    if (size === 0) throw badInput(`${argument}: file is empty`, { argument });
    if (size > this.maxBytes) {
      throw badInput(`${argument}: file is ${size} bytes, above the limit of ${this.maxBytes}`, {
        argument,
        maxBytes: this.maxBytes,
      });
    }
    return { uri: uriOfKey(key), sizeBytes: size };
  }

  uriOf(ref: string, argument: string): string {
    return uriOfKey(objectKeyOf(ref, argument));
  }

  async sha256(media: StoredMedia): Promise<string> {
    const hash = createHash('sha256');
    const body = await this.getBody(objectKeyOf(media.uri, 'uri'));
    await pipeline(body, hash);
    return hash.digest('hex');
  }

  async fetchUrl(url: string, argument: string): Promise<Fetched> {
    return this.viaScratch(await this.scratch.fetchUrl(url, argument));
  }

  async saveUpload(body: NodeJS.ReadableStream, extension: string): Promise<Fetched> {
    return this.viaScratch(await this.scratch.saveUpload(body, extension));
  }

  async putFile(file: string, ref: string): Promise<void> {
    const key = objectKeyOf(ref, 'ref');
    const { size } = await fs.promises.stat(file);
    await this.unavailableAs(() =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: fs.createReadStream(file), ContentLength: size }),
      ),
    );
  }

  async discard(uri: string): Promise<void> {
    const key = objectKeyOf(uri, 'uri');
    await this.unavailableAs(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async downloadTo(uri: string, file: string): Promise<void> {
    await writeToFile(file, await this.getBody(objectKeyOf(uri, 'uri'), Number.MAX_SAFE_INTEGER));
  }

  async discardFolder(uri: string): Promise<void> {
    const prefix = `${objectKeyOf(uri, 'uri')}/`;
    for (;;) {
      const listed = await this.unavailableAs(() =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1000 })),
      );
      const keys = (listed.Contents ?? []).map((o) => o.Key!).filter(Boolean);
      for (const key of keys) await this.discard(uriOfKey(key));
      // Listed again from the start: what was deleted no longer shows, so no continuation token.
      if (!listed.IsTruncated || keys.length === 0) return;
    }
  }

  /**
   * The readiness probe's check: one HeadBucket, abandoned after `timeoutMs` so an unreachable
   * store fails the probe rather than hang it. Throws with the reason.
   */
  async ping(timeoutMs: number): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as S3Fault & Error;
      const status = e.$metadata?.httpStatusCode;
      const reason =
        e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `no answer within ${timeoutMs} ms`
          : status
            ? `HTTP ${status} (${e.name})`
            : e.message || e.name;
      throw new Error(`bucket ${this.bucket}: ${reason}`, { cause: err });
    }
  }

  /** Whether an object exists under the reference (a rendered preview). */
  async exists(uri: string): Promise<boolean> {
    return (await this.head(objectKeyOf(uri, 'uri'))) !== undefined;
  }

  /**
   * An object's bytes for an HTTP answer, or one range of them (`bytes=<from>-<to>`, as media
   * elements ask to seek): the store answers the range itself. NOT_FOUND (MediaError) when gone.
   */
  async openRead(uri: string, range?: string): Promise<StoredRead> {
    const key = objectKeyOf(uri, 'uri');
    try {
      const out = await this.unavailableAs(() =>
        this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range })),
      );
      return {
        body: out.Body as Readable,
        contentLength: out.ContentLength ?? 0,
        ...(out.ContentRange ? { contentRange: out.ContentRange } : {}),
      };
    } catch (err) {
      if (isNotFound(err)) throw new MediaError(MediaErrorCode.NotFound, `no object at ${uri}`);
      throw err;
    }
  }

  async withLocalFile<T>(uri: string, fn: (file: string) => Promise<T>): Promise<T> {
    const key = objectKeyOf(uri, 'uri');
    await fs.promises.mkdir(this.scratchDir, { recursive: true });
    // One download per job: ffprobe, the decoder, its fallback build and the Ogg truncation check
    // each read the file, which ranged GETs would repeat over the network.
    const file = path.join(this.scratchDir, `.read-${randomUUID()}${path.extname(key)}`);
    try {
      const body = await this.getBody(key);
      const limit = this.maxBytes;
      await writeToFile(file, body, {
        limit: {
          maxBytes: limit,
          tooLarge: () =>
            new MediaError(MediaErrorCode.TooLarge, `the file is more than the limit of ${limit} bytes`, {
              maxFileBytes: limit,
            }),
        },
      });
      return await fn(file);
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }

  async presignUpload({ extension, contentType, bytes }: DirectUploadRequest): Promise<DirectUpload> {
    const key = directUploadKey(bytes, extension);
    const expiresIn = this.settings.presignExpirySeconds;
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ContentType: contentType,
      ContentLength: bytes,
    });
    // Both headers go into the signature, so the store refuses a PUT of another size or type.
    const url = await getSignedUrl(this.signer, command, {
      expiresIn,
      signableHeaders: new Set(['content-type', 'content-length']),
    });
    return {
      mediaUri: uriOfKey(key),
      url,
      headers: { 'content-type': contentType, 'content-length': String(bytes) },
      expiresAt: new Date(Date.now() + expiresIn * 1000),
    };
  }

  /** Puts a file the scratch store hashed under the same key, then drops the scratch copy. */
  private async viaScratch(saved: Fetched): Promise<Fetched> {
    const key = objectKeyOf(saved.uri, 'uri');
    const file = this.scratch.pathOf(saved.uri);
    try {
      const existed = (await this.head(key)) !== undefined;
      await this.unavailableAs(() =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: fs.createReadStream(file),
            ContentLength: saved.sizeBytes,
          }),
        ),
      );
      return { ...saved, created: !existed };
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }

  private async head(key: string) {
    try {
      return await this.unavailableAs(() => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
    } catch (err) {
      // Anything else (credentials, permissions) is the operator's fault, not the caller's: it
      // surfaces as an internal error and is logged.
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The object's bytes as a stream; NOT_FOUND (a MediaError, final for a job) when it is gone. */
  private async getBody(key: string, maxBytes = this.maxBytes): Promise<Readable> {
    try {
      const out = await this.unavailableAs(() =>
        this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })),
      );
      if ((out.ContentLength ?? 0) > maxBytes) {
        (out.Body as Readable).destroy();
        throw new MediaError(
          MediaErrorCode.TooLarge,
          `the file is ${out.ContentLength} bytes, more than the limit of ${maxBytes} bytes`,
          { sizeBytes: out.ContentLength, maxFileBytes: maxBytes },
        );
      }
      return out.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new MediaError(MediaErrorCode.NotFound, `no object at ${uriOfKey(key)}`);
      throw err;
    }
  }

  /** Store faults seen by an API caller: SERVICE_UNAVAILABLE (retry later), not a masked internal error. */
  private async unavailableAs<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isNotFound(err) || !isUnavailable(err)) throw err;
      throw new AppError(ErrorCode.ServiceUnavailable, 'the media store is unavailable; try again later', {
        cause: (err as Error).name,
      });
    }
  }
}

function s3Client(settings: S3StoreConfig, endpoint: string | undefined): S3Client {
  return new S3Client({
    region: settings.region,
    endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials: settings.credentials,
    // A store that stops answering must not hold a request or a job for minutes.
    requestHandler: {
      connectionTimeout: Math.min(5000, settings.requestTimeoutMs),
      requestTimeout: settings.requestTimeoutMs,
    },
    maxAttempts: 2,
    // The SDK's default CRC32 trailer (aws-chunked bodies) is AWS-only; MinIO releases before
    // 2025, Ceph and s3rver would store the chunk framing as the object's bytes.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

interface S3Fault {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const isNotFound = (err: unknown): boolean => {
  const e = err as S3Fault;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

/** No answer, or the store says it cannot serve now (5xx, throttling): retrying later may work. */
function isUnavailable(err: unknown): boolean {
  const e = err as S3Fault;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  return true;
}
