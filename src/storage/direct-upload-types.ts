import { badInput } from '../common/errors';

/** What a direct upload is for: who may make it and which content types it may declare. */
export enum UploadKind {
  VIDEO = 'VIDEO',
  VOICE_OVER = 'VOICE_OVER',
  TRACK = 'TRACK',
  /** A zip of a model-version folder, for registerModelVersion (admins). */
  MODEL = 'MODEL',
}

/**
 * The content types a direct upload may declare, each with the extension its object key gets.
 * The same containers the decoder accepts (media/ffmpeg-input.ts): a declared type outside these
 * is refused before anything is signed, and the key's extension says later (at registration)
 * which type the stored object must carry.
 */
const VIDEO_TYPES: Record<string, string> = {
  'video/mp4': '.mp4',
  'video/quicktime': '.mov',
  'video/webm': '.webm',
  'video/x-matroska': '.mkv',
};

const AUDIO_TYPES: Record<string, string> = {
  'audio/mp4': '.m4a',
  'audio/mpeg': '.mp3',
  'audio/ogg': '.ogg',
  'audio/webm': '.weba',
  'audio/wav': '.wav',
  'audio/flac': '.flac',
  'audio/aac': '.aac',
  'audio/aiff': '.aiff',
};

const TYPES_BY_KIND: Record<UploadKind, Record<string, string>> = {
  [UploadKind.VIDEO]: VIDEO_TYPES,
  // A voice-over recorded by a phone's camera app is often a video file with the voice as its audio.
  [UploadKind.VOICE_OVER]: { ...AUDIO_TYPES, ...VIDEO_TYPES },
  [UploadKind.TRACK]: AUDIO_TYPES,
  [UploadKind.MODEL]: { 'application/zip': '.zip' },
};

const TYPE_BY_EXTENSION = new Map(
  Object.entries({ ...VIDEO_TYPES, ...AUDIO_TYPES, 'application/zip': '.zip' }).map(([t, ext]) => [ext, t]),
);

/** The extension for a declared content type (parameters such as `; codecs=...` ignored); throws BAD_USER_INPUT. */
export function extensionFor(kind: UploadKind, contentType: string): { contentType: string; extension: string } {
  const bare = contentType.split(';')[0]!.trim().toLowerCase();
  const extension = TYPES_BY_KIND[kind][bare];
  if (!extension) {
    throw badInput(`contentType: ${kind} uploads take ${Object.keys(TYPES_BY_KIND[kind]).join(', ')}`, {
      argument: 'contentType',
    });
  }
  return { contentType: bare, extension };
}

/** The content type a direct upload's key (by its extension) was signed for. */
export const contentTypeOfExtension = (extension: string): string | undefined => TYPE_BY_EXTENSION.get(extension);
