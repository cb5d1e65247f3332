import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { PreviewSource } from '../../modules/experiment/preference.service';
import { previewObjectUri } from '../../storage/object-key';
import type { S3MediaStorage, StoredRead } from '../../storage/s3-media-storage';
import type { PreviewRenderer } from './preview-renderer';

/** What previews need of the object store. */
export type PreviewObjects = Pick<S3MediaStorage, 'exists' | 'putFile' | 'openRead'>;

/**
 * Rater previews kept in the object store (MEDIA_STORE=s3) instead of the API's disk: any API
 * replica serves a preview another rendered, and deleting the video removes them from one place
 * (`previews/<videoId>/`, VideoService.deleteVideo). A preview is rendered into a scratch file,
 * put under `previews/<videoId>/<inputs key>.mp4` and the scratch file removed; the route streams
 * the object through the API, ranges included, so the page's `media-src 'self'` still holds.
 * Objects are not aged out here: a lifecycle rule on the prefix does it (docs/OPERATIONS.md).
 */
export class StoredPreviews {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly renderer: Pick<PreviewRenderer, 'cacheKey' | 'renderFile'>,
    private readonly objects: PreviewObjects,
    private readonly scratchDir: string,
  ) {}

  /** The preview's object, rendered and stored first when the store has none. */
  async render(source: PreviewSource): Promise<string> {
    const uri = previewObjectUri(source.videoId, this.renderer.cacheKey(source));
    if (await this.objects.exists(uri)) return uri;
    let pending = this.inFlight.get(uri);
    if (!pending) {
      pending = this.renderAndStore(source, uri).finally(() => this.inFlight.delete(uri));
      this.inFlight.set(uri, pending);
    }
    return pending;
  }

  open(uri: string, range: string | undefined): Promise<StoredRead> {
    return this.objects.openRead(uri, range);
  }

  private async renderAndStore(source: PreviewSource, uri: string): Promise<string> {
    await fs.promises.mkdir(this.scratchDir, { recursive: true });
    const file = path.join(this.scratchDir, `${randomUUID()}.mp4`);
    try {
      await this.renderer.renderFile(source, file);
      await this.objects.putFile(file, uri);
      return uri;
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }
}

/**
 * Streams a stored preview as the answer, or the one range a media element asked for (206 with
 * the store's Content-Range; 416 when past the end). Other range forms get the whole object.
 */
export async function sendStoredPreview(
  req: Request,
  res: Response,
  previews: Pick<StoredPreviews, 'open'>,
  uri: string,
): Promise<void> {
  const asked = req.headers.range;
  const range = asked && /^bytes=(\d+-\d*|-\d+)$/.test(asked) ? asked : undefined;
  let read: StoredRead;
  try {
    read = await previews.open(uri, range);
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) {
      res.status(416).end();
      return;
    }
    throw err;
  }
  res.status(read.contentRange ? 206 : 200);
  res.set({
    'content-type': 'video/mp4',
    'content-length': String(read.contentLength),
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
  });
  if (read.contentRange) res.set('content-range', read.contentRange);
  // A player that stops reading (seeks, closes the page) ends the stream: not an error to report.
  await pipeline(read.body, res).catch(() => read.body.destroy());
}
