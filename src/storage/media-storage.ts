import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { badInput } from '../common/errors';
import { type Fetched, fetchToMediaRoot, type UrlFetchPolicy } from './url-fetcher';

export interface StoredMedia {
  /** Canonical form kept in the database: `media://<path relative to the media root>`. */
  uri: string;
  path: string;
  sizeBytes: number;
}

/** The media-storage seam (a local folder here; an S3-compatible store in production). */
export interface MediaStorage {
  /** Validates a client-given reference and returns where the bytes are; throws BAD_USER_INPUT. */
  locate(ref: string, argument: string): Promise<StoredMedia>;
  /** Local path of a canonical `media://` URI. */
  pathOf(uri: string): string;
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
  /** Stores an uploaded body under its content hash; throws BAD_USER_INPUT above the size limit. */
  saveUpload(body: NodeJS.ReadableStream, extension: string): Promise<Fetched>;
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
    let size = 0;
    const limit = this.maxBytes;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<string | Buffer>) {
          for await (const part of source) {
            const chunk = typeof part === 'string' ? Buffer.from(part) : part;
            size += chunk.length;
            if (size > limit) throw badInput(`upload is above the limit of ${limit} bytes`, { maxBytes: limit });
            hash.update(chunk);
            yield chunk;
          }
        },
        fs.createWriteStream(tmp),
      );
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
    return { uri: this.canonical(abs), path: abs, sizeBytes: stat.size };
  }

  uriOf(ref: string, argument: string): string {
    return this.canonical(this.toAbsolute(ref, argument));
  }

  private canonical(abs: string): string {
    return `media://${path.relative(this.root, abs).split(path.sep).join('/')}`;
  }

  pathOf(uri: string): string {
    return this.toAbsolute(uri, 'uri');
  }

  async sha256(media: StoredMedia): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(fs.createReadStream(media.path), hash);
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
