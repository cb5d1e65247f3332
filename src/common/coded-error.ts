/**
 * An error with a stable string code and optional details: the shape of both error families.
 * They stay two families, each with its own enum of codes, because the codes are two vocabularies:
 * AppError's (common/errors.ts) answer API callers as GraphQL `extensions.code`; MediaError's
 * (media/media-error.ts) say why a media file is unusable and are stored on track and video rows.
 */
export class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
