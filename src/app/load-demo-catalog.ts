import fs from 'node:fs';
import path from 'node:path';
import type { Principal } from '../auth/principal';
import type { Logger } from '../common/logger';
import { projectRoot } from '../common/paths';
import type { MediaStorage } from '../storage/media-storage';
import type { Services } from './create-services';
import type { DemoManifest } from '../common/demo-manifest';

const SYSTEM_ADMIN: Principal = { id: 'system:demo-loader', roles: ['admin'] };
/** Demo videos belong to this user: `npm run token -- --role app --sub demo` sees them. */
export const DEMO_OWNER: Principal = { id: 'demo', roles: ['app'] };

/**
 * Loads demo/ into an empty catalog (embedded default): real music excerpts with their licenses
 * and attribution, and generated videos owned by `demo`. Their embedding jobs run like any other.
 */
export async function loadDemoCatalog(
  services: Services,
  storage: Pick<MediaStorage, 'putFile'>,
  logger: Logger,
): Promise<boolean> {
  const dir = path.join(projectRoot(), 'demo');
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) return false;
  const existing = await services.tracks.listTracks({ includeRetired: true }, 1);
  if (existing.edges.length > 0) return false;
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DemoManifest;
  const media = (file: string) => `media://demo/${file}`;
  // Into the configured store (the folder or the bucket), under demo/ as in the checkout.
  for (const file of [...manifest.tracks, ...manifest.videos].map((x) => x.file)) {
    await storage.putFile(path.join(dir, file), media(file));
  }
  const ingested = await services.ingest.ingestTracks(
    SYSTEM_ADMIN,
    manifest.tracks.map((t) => ({
      mediaUri: media(t.file),
      title: t.title,
      artist: t.artist,
      bpm: t.bpm,
      tags: ['demo'],
      moods: [],
      license: {
        licensor: t.license.licensor,
        attribution: t.license.attribution,
        // The demo licenses (CC BY-SA, GPL) allow commercial use anywhere, on any platform.
        commercialUse: true,
        territoriesAllowed: [],
        territoriesDenied: [],
        platforms: [],
      },
    })),
  );
  for (const v of manifest.videos) {
    // As if `demo` had uploaded them: a video refers only to its owner's uploads.
    await services.uploads.recordExisting(DEMO_OWNER.id, media(v.file));
    await services.videos.registerVideo(DEMO_OWNER, { mediaUri: media(v.file) });
  }
  logger.info(
    { tracks: ingested.created.length, videos: manifest.videos.length },
    'demo catalog loaded (videos owned by "demo")',
  );
  return true;
}
