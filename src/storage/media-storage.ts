import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { badInput, failedPrecondition } from '../common/errors';
import { MediaError, MediaErrorCode } from '../media/media-error';
import { type Fetched, fetchToMediaRoot, type UrlFetchPolicy } from './url-fetcher';
import { writeToFile } from './write-to-file';

export interface StoredMedia {
  /** Canonical form kept in the database: `media://<path relative to the media root, or object key>`. */
  uri: string;
  sizeBytes: number;
}

/**
 * The media-storage seam: a local folder (embedded default, LocalMediaStorage) or an
 * S3-compatible bucket (S3MediaStorage). Both name media `media://<relative path>`, so the
 * database is the same for either.
 */
export interface MediaStorage {
  /**
   * Validates a client-given reference and checks the stored file exists within the size limit;
   * throws BAD_USER_INPUT (a direct upload whose size or type differs from what was signed is
   * deleted first), SERVICE_UNAVAILABLE when the store does not answer.
   */
  locate(ref: string, argument: string): Promise<StoredMedia>;
  /**
   * Runs fn on a local file holding the media: the stored file itself (local folder) or a
   * scratch download removed when fn settles (object store). ffmpeg then reads a plain file only:
   * the demuxer/protocol allow-list (media/ffmpeg-input.ts) stays `file`, whatever the store.
   * A missing file is a MediaError NOT_FOUND; an unreachable store a plain (retryable) error.
   */
  withLocalFile<T>(uri: string, fn: (file: string) => Promise<T>): Promise<T>;
  /**
   * A presigned PUT for an upload straight from the client to the store (createUpload), with
   * its size and content type signed; FAILED_PRECONDITION where the store cannot take one (the
   * local folder: clients use POST /media/uploads).
   */
  presignUpload(request: DirectUploadRequest): Promise<DirectUpload>;
  /**
   * The canonical `media://` URI a client-given reference names, without looking at the file (so
   * that a caller may be refused before anything tells whether it exists); throws BAD_USER_INPUT.
   */
  uriOf(ref: string, argument: string): string;
  sha256(media: StoredMedia): Promise<string>;
  /** Downloads an allowlisted URL into storage (see url-fetcher.ts); throws BAD_USER_INPUT. */
  fetchUrl(url: string, argument: string): Promise<Fetched>;
  /** Removes a stored file that no database row refers to (a batch that failed after fetching). */
  discard(uri: string): Promise<void>;
  /** Removes every file under a folder reference (a deleted video's rendered previews). */
  discardFolder(uri: string): Promise<void>;
  /** Puts a local file under a reference as it is (the demo catalog; operators' own files; model files). */
  putFile(file: string, ref: string): Promise<void>;
  /**
   * Copies a stored file to a local path as it is, without the media size limit (model files);
   * a missing file is a MediaError NOT_FOUND, an unreachable store SERVICE_UNAVAILABLE.
   */
  downloadTo(uri: string, file: string): Promise<void>;
  /** Stores an uploaded body under its content hash; throws BAD_USER_INPUT above the size limit. */
  saveUpload(body: NodeJS.ReadableStream, extension: string): Promise<Fetched>;
}

export interface DirectUploadRequest {
  /** The object's extension, from the declared content type (direct-upload-types.ts). */
  extension: string;
  contentType: string;
  bytes: number;
}

export interface DirectUpload {
  mediaUri: string;
  url: string;
  /** Headers the client must send with exactly these values (they are signed). */
  headers: Record<string, string>;
  expiresAt: Date;
}

const MAX_REF_LENGTH = 1024;

export class LocalMediaStorage implements MediaStorage {
  constructor(
    private readonly root: string,
    private readonly maxBytes: number,
    private readonly urlPolicy: Omit<UrlFetchPolicy, 'maxBytes'> = {
      allowlist: [],
      timeoutMs: 30_000,
      totalTimeoutMs: 120_000,
      allowPrivateAddresses: false,
    },
  ) {
    fs.mkdirSync(root, { recursive: true });
  }

  fetchUrl(url: string, argument: string): Promise<Fetched> {
    return fetchToMediaRoot(url, argument, { ...this.urlPolicy, maxBytes: this.maxBytes }, this.root);
  }

  async saveUpload(body: NodeJS.ReadableStream, extension: string): Promise<Fetched> {
    const dir = path.join(this.root, 'uploads');
    await fs.promises.mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `.${randomUUID()}`);
    const hash = createHash('sha256');
    const limit = this.maxBytes;
    try {
      const size = await writeToFile(tmp, body, {
        limit: {
          maxBytes: limit,
          tooLarge: () => badInput(`upload is above the limit of ${limit} bytes`, { maxBytes: limit }),
        },
        hash,
      });
      if (size === 0) throw badInput('upload is empty');
      const sha256 = hash.digest('hex');
      const name = `${sha256}${/^\.[a-z0-9]{1,8}$/.test(extension) ? extension : ''}`;
      await fs.promises.rename(tmp, path.join(dir, name));
      return { uri: `media://uploads/${name}`, sha256, sizeBytes: size };
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
  }

  async discard(uri: string): Promise<void> {
    await fs.promises.rm(this.pathOf(uri), { force: true });
  }

  async discardFolder(uri: string): Promise<void> {
    await fs.promises.rm(this.pathOf(uri), { recursive: true, force: true });
  }

  withLocalFile<T>(uri: string, fn: (file: string) => Promise<T>): Promise<T> {
    return fn(this.pathOf(uri));
  }

  async putFile(file: string, ref: string): Promise<void> {
    const target = this.toAbsolute(ref, 'ref');
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.copyFile(file, target);
  }

  async downloadTo(uri: string, file: string): Promise<void> {
    try {
      await fs.promises.copyFile(this.pathOf(uri), file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new MediaError(MediaErrorCode.NotFound, `no file at ${uri}`);
    }
  }

  presignUpload(): Promise<DirectUpload> {
    return Promise.reject(
      failedPrecondition('direct uploads need an object store (MEDIA_STORE=s3); upload with POST /media/uploads'),
    );
  }

  async locate(ref: string, argument: string): Promise<StoredMedia> {
    const abs = this.toAbsolute(ref, argument);
    const stat = await fs.promises.stat(abs).catch(() => undefined);
    if (!stat?.isFile()) throw badInput(`${argument}: no media file at ${ref}`, { argument });
    if (stat.size === 0) throw badInput(`${argument}: file is empty`, { argument });
    if (stat.size > this.maxBytes) {
      throw badInput(`${argument}: file is ${stat.size} bytes, above the limit of ${this.maxBytes}`, {
        argument,
        maxBytes: this.maxBytes,
      });
    }
    return { uri: this.canonical(abs), sizeBytes: stat.size };
  }

  uriOf(ref: string, argument: string): string {
    return this.canonical(this.toAbsolute(ref, argument));
  }

  private canonical(abs: string): string {
    return `media://${path.relative(this.root, abs).split(path.sep).join('/')}`;
  }

  /** Local path of a canonical `media://` URI (this store only: others have no path). */
  pathOf(uri: string): string {
    return this.toAbsolute(uri, 'uri');
  }

  async sha256(media: StoredMedia): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(fs.createReadStream(this.pathOf(media.uri)), hash);
    return hash.digest('hex');
  }

  private toAbsolute(ref: string, argument: string): string {
    if (ref.length === 0 || ref.length > MAX_REF_LENGTH || ref.includes('\0')) {
      throw badInput(`${argument}: must be 1-${MAX_REF_LENGTH} characters`, { argument });
    }
    let abs: string;
    if (ref.startsWith('media://')) abs = path.resolve(this.root, ref.slice('media://'.length));
    else if (ref.startsWith('file://')) abs = path.resolve(fileUrlToPath(ref, argument));
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
      throw badInput(`${argument}: only media:// and file:// references are accepted`, { argument });
    } else abs = path.resolve(this.root, ref);
    const rel = path.relative(this.root, abs);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw badInput(`${argument}: must lie inside the media root`, { argument });
    }
    return abs;
  }
}

function fileUrlToPath(ref: string, argument: string): string {
  try {
    return fileURLToPath(ref);
  } catch {
    throw badInput(`${argument}: not a valid file:// URL`, { argument });
  }
}

/** A local file per reference: a plain string stays a file, an absent reference stays absent. */
type LocalFiles<U extends readonly (string | null | undefined)[]> = {
  [K in keyof U]: U[K] extends string ? string : string | undefined;
};

/**
 * withLocalFile for several references at once (a video with its voice-over, a preview's
 * inputs), read one after the other in the order given; an absent reference (a video without a
 * separate voice-over) gives undefined. Every scratch copy goes when fn settles.
 */
export function withLocalFiles<const U extends readonly (string | null | undefined)[], T>(
  storage: Pick<MediaStorage, 'withLocalFile'>,
  uris: U,
  fn: (files: LocalFiles<U>) => Promise<T>,
): Promise<T> {
  const open = (i: number, files: (string | undefined)[]): Promise<T> => {
    if (i === uris.length) return fn(files as LocalFiles<U>);
    const uri = uris[i];
    return uri
      ? storage.withLocalFile(uri, (file) => open(i + 1, [...files, file]))
      : open(i + 1, [...files, undefined]);
  };
  return open(0, []);
}
