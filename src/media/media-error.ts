import { CodedError } from '../common/coded-error';

/** Why a media file could not be used. The string values are stable: they are stored and shown. */
export enum MediaErrorCode {
  NotFound = 'NOT_FOUND',
  NotMedia = 'NOT_MEDIA',
  Truncated = 'TRUNCATED',
  NoAudio = 'NO_AUDIO',
  NoVideo = 'NO_VIDEO',
  EmptyAudio = 'EMPTY_AUDIO',
  SilentAudio = 'SILENT_AUDIO',
  TooLong = 'TOO_LONG',
  TooShort = 'TOO_SHORT',
  TooLarge = 'TOO_LARGE',
  DecodeFailed = 'DECODE_FAILED',
  Timeout = 'TIMEOUT',
}

export class MediaError extends CodedError<MediaErrorCode> {
  override name = 'MediaError';

  /** Whether trying the same file again may succeed (the queue naks these instead of failing them). */
  get retryable(): boolean {
    return isRetryable(this.code);
  }
}

export function isRetryable(code: MediaErrorCode): boolean {
  switch (code) {
    case MediaErrorCode.Timeout:
      return true;
    case MediaErrorCode.NotFound:
    case MediaErrorCode.NotMedia:
    case MediaErrorCode.Truncated:
    case MediaErrorCode.NoAudio:
    case MediaErrorCode.NoVideo:
    case MediaErrorCode.EmptyAudio:
    case MediaErrorCode.SilentAudio:
    case MediaErrorCode.TooLong:
    case MediaErrorCode.TooShort:
    case MediaErrorCode.TooLarge:
    case MediaErrorCode.DecodeFailed:
      return false;
  }
}

export const isMediaError = (e: unknown): e is MediaError => e instanceof MediaError;
