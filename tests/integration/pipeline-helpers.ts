import type { App } from '../../src/app/start-app';
import type { Prisma } from '../../src/generated/prisma/client';
import { gql, tokenFor } from './harness';

export const modelDir = () => process.env.BGM_TEST_MODEL_DIR;

/** A READY video of app-user (the `app` token's subject) with a query embedding under `modelId`: its id. */
export async function embeddedVideo(app: App, modelId: string, embedding: number[]): Promise<string> {
  const video = await app.db.prisma.video.create({
    data: { ownerId: 'app-user', mediaUri: 'media://v', status: 'READY' },
  });
  await app.repos.embeddings.upsertVideoEmbedding(video.id, modelId, embedding);
  return video.id;
}

/** The track fields a test may set beside its title (search filters read them). */
export type TrackFields = Pick<Prisma.TrackCreateInput, 'moods' | 'bpm' | 'durationSec'>;

/**
 * A READY track titled `title`, with no media, licensed as given (default: to `title`, from now on;
 * an empty list: unlicensed), with `fields` set: its id.
 */
export async function readyTrack(
  app: App,
  title: string,
  licenses: Prisma.LicenseCreateWithoutTrackInput[] = [{ licensor: title }],
  fields: TrackFields = {},
): Promise<string> {
  const track = await app.db.prisma.track.create({
    data: {
      title,
      artist: 'A',
      mediaUri: `media://${title}`,
      contentHash: title,
      status: 'READY',
      ...fields,
      licenses: { create: licenses },
    },
  });
  return track.id;
}

/** Polls until fn returns a value, or fails with the last value seen. */
export async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function ingest(app: App, items: { mediaUri: string; title: string }[]): Promise<string[]> {
  const res = await gql(
    app,
    'mutation($t: [IngestTrackInput!]!) { ingestTracks(tracks: $t) { created { track { id } } } }',
    { t: items.map((i) => ({ ...i, artist: 'Test', license: { licensor: 'Test' } })) },
    await tokenFor(app, 'admin'),
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.ingestTracks.created.map((c: { track: { id: string } }) => c.track.id);
}

/** Waits until every track has left PENDING/PROCESSING; returns them. */
export function settledTracks(app: App, ids: string[], timeoutMs?: number) {
  return waitFor(
    async () => {
      const rows = await app.db.prisma.track.findMany({ where: { id: { in: ids } } });
      return rows.every((r) => r.status === 'READY' || r.status === 'FAILED') ? rows : undefined;
    },
    `tracks ${ids.length} to settle`,
    timeoutMs,
  );
}

export function settledVideo(app: App, id: string) {
  return waitFor(async () => {
    const v = await app.db.prisma.video.findUniqueOrThrow({ where: { id } });
    return v.status === 'READY' || v.status === 'FAILED' ? v : undefined;
  }, `video ${id} to settle`);
}

/**
 * Fetches a rater preview as the page does: asks for its render (`&probe=1`, which queues the
 * RENDER_PREVIEW job the first time) until it is READY, then fetches the signed URL itself.
 */
export async function fetchRaterPreview(app: App, url: string, timeoutMs = 60_000): Promise<Response> {
  await waitFor(
    async () => {
      const res = await fetch(`${app.url}${url}&probe=1`);
      const body = (await res.json()) as { status?: string; error?: string | null };
      if (!res.ok || body.status === 'FAILED') throw new Error(`preview ${res.status}: ${JSON.stringify(body)}`);
      return body.status === 'READY' ? true : undefined;
    },
    'the rater preview render',
    timeoutMs,
  );
  return fetch(`${app.url}${url}`);
}

/**
 * Where suggestBgm serves `trackId` for `videoId`, asked as the video's owner for its first `first`
 * suggestions (1-based; `first + 1` when it is not among them).
 */
export async function servedRank(
  app: App,
  videoId: string,
  trackId: string,
  first: number,
  filter: { preferInstrumental?: boolean } = {},
): Promise<number> {
  const owner = (await app.repos.videos.findById(videoId))!.ownerId;
  const res = await gql(
    app,
    'query($v: ID!, $n: Int!, $f: SuggestionFilterInput) { suggestBgm(videoId: $v, first: $n, filter: $f) { suggestions { track { id } } } }',
    { v: videoId, n: first, f: filter },
    await tokenFor(app, 'app', owner),
  );
  if (res.errors) throw new Error(`suggestBgm failed: ${JSON.stringify(res.errors)}`);
  const ids = (res.data!.suggestBgm.suggestions as { track: { id: string } }[]).map((s) => s.track.id);
  return ids.indexOf(trackId) + 1 || first + 1;
}
