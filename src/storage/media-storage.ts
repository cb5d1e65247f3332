import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { badInput } from '../common/errors';

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
  sha256(media: StoredMedia): Promise<string>;
}

const MAX_REF_LENGTH = 1024;

export class LocalMediaStorage implements MediaStorage {
  constructor(
    private readonly root: string,
    private readonly maxBytes: number,
  ) {
    fs.mkdirSync(root, { recursive: true });
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
    return { uri: `media://${path.relative(this.root, abs).split(path.sep).join('/')}`, path: abs, sizeBytes: stat.size };
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
