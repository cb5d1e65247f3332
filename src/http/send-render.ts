import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { MediaStorage } from '../storage/media-storage';
import type { S3MediaStorage, StoredRead } from '../storage/s3-media-storage';

/** Where rendered previews are read from: a local file of the folder store, or the object store. */
export type RenderStorage = Pick<MediaStorage, 'withLocalFile'> | Pick<S3MediaStorage, 'openRead'>;

/**
 * Answers with a rendered MP4 (a preview render's media reference), Range requests included, so
 * media elements seek and stream. The folder store sends the local file; an object store streams
 * the object through the API, so the rater page's `media-src 'self'` still holds.
 */
export async function sendRender(req: Request, res: Response, storage: RenderStorage, uri: string): Promise<void> {
  if ('openRead' in storage) return sendStored(req, res, (range) => storage.openRead(uri, range));
  await storage.withLocalFile(uri, (file) => sendFile(res, file));
}

/** express's sendFile answers Range requests; resolved once the answer is sent. */
function sendFile(res: Response, file: string): Promise<void> {
  res.type('video/mp4');
  return new Promise((resolve, reject) =>
    res.sendFile(file, { headers: { 'x-content-type-options': 'nosniff' } }, (err) =>
      err && !res.headersSent ? reject(err) : resolve(),
    ),
  );
}

/**
 * Streams a stored object as the answer, or the one range a media element asked for (206 with
 * the store's Content-Range; 416 when past the end). Other range forms get the whole object.
 */
async function sendStored(
  req: Request,
  res: Response,
  open: (range: string | undefined) => Promise<StoredRead>,
): Promise<void> {
  const asked = req.headers.range;
  const range = asked && /^bytes=(\d+-\d*|-\d+)$/.test(asked) ? asked : undefined;
  let read: StoredRead;
  try {
    read = await open(range);
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
