import { randomUUID } from 'node:crypto';
import { badInput } from '../common/errors';

const MAX_KEY_LENGTH = 1024;
/** Plain path segments only: no `.`/`..`, no empty segment, nothing a store or a shell reads specially. */
const SAFE_KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

/**
 * The object key a client-given reference names (`media://<key>` or a bare key), as the local
 * folder resolves a relative path: same canonical URIs in the database whichever store holds them.
 * Throws BAD_USER_INPUT for other schemes and for keys outside the safe set.
 */
export function objectKeyOf(ref: string, argument: string): string {
  if (ref.length === 0 || ref.length > MAX_KEY_LENGTH) {
    throw badInput(`${argument}: must be 1-${MAX_KEY_LENGTH} characters`, { argument });
  }
  let key = ref;
  if (ref.startsWith('media://')) key = ref.slice('media://'.length);
  else if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) {
    throw badInput(`${argument}: only media:// references are accepted`, { argument });
  }
  if (!SAFE_KEY.test(key)) {
    throw badInput(`${argument}: not a valid media reference (letters, digits, . _ - and / between names)`, {
      argument,
    });
  }
  return key;
}

export const uriOfKey = (key: string): string => `media://${key}`;

/**
 * Direct uploads get a fresh key that carries what was signed: the declared size and, by its
 * extension, the content type. Registration compares the stored object with the key alone, so
 * the check needs no extra table, and a client cannot pick another key than the one it was given
 * (only its own uploads are accepted).
 */
const DIRECT = /^uploads\/direct\/[0-9a-f-]{36}-(\d{1,13})(\.[a-z0-9]{1,8})$/;

export const directUploadKey = (bytes: number, extension: string): string =>
  `uploads/direct/${randomUUID()}-${bytes}${extension}`;

export function parseDirectUploadKey(key: string): { bytes: number; extension: string } | undefined {
  const m = DIRECT.exec(key);
  return m ? { bytes: Number(m[1]), extension: m[2]! } : undefined;
}

/**
 * A video's preview renders (renderPreview's and the rater page's) live under one folder of its
 * own, so deleting the video removes them together: they carry its voice-over.
 */
export const previewFolderUri = (videoId: string): string => `media://previews/${videoId}`;

/** A deletion (a tombstone) of a whole folder is recorded as its URI with a trailing slash. */
export const folderDeletionUri = (folderUri: string): string => `${folderUri}/`;

/** A preview render, under its video's preview folder so the video's deletion removes it too. */
export const renderObjectUri = (videoId: string, renderId: string): string =>
  `${previewFolderUri(videoId)}/renders/${renderId}.mp4`;
