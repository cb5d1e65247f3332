import { requireRole, type Principal } from '../../auth/principal';
import { badInput } from '../../common/errors';
import type { UnitOfWork } from '../../db/repositories';
import type { JobRecord } from '../../db/prisma-types';
import type { MediaStorage } from '../../storage/media-storage';
import type { NewLicense, TrackRecordLike, TrackWithLicenses } from './ingest.types';

export interface IngestTrackItem {
  mediaUri: string;
  title: string;
  artist: string;
  tags: string[];
  moods: string[];
  bpm?: number | null;
  license?: NewLicense;
}

export interface IngestResult {
  created: { track: TrackWithLicenses; job: JobRecord }[];
  /** Items whose file content is already in the catalog: nothing was written for them. */
  duplicates: { index: number; track: TrackRecordLike }[];
}

/**
 * Catalog ingest: validates every item first (bad input writes nothing), then records tracks,
 * licenses, jobs and outbox messages in one transaction and wakes the relay.
 */
export class IngestService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly storage: MediaStorage,
    private readonly maxBatchSize: number,
    private readonly onEnqueued: () => void,
  ) {}

  async ingestTracks(principal: Principal | undefined, items: IngestTrackItem[]): Promise<IngestResult> {
    requireRole(principal, 'admin');
    if (items.length === 0 || items.length > this.maxBatchSize) {
      throw badInput(`tracks must hold 1 to ${this.maxBatchSize} items`, { argument: 'tracks', max: this.maxBatchSize });
    }
    const located = await Promise.all(
      items.map(async (item, i) => {
        const media = await this.storage.locate(item.mediaUri, `tracks[${i}].mediaUri`);
        return { item, media, hash: await this.storage.sha256(media), index: i };
      }),
    );
    const result = await this.uow.run(async ({ tracks, jobs }) => {
      const existing = new Map((await tracks.findByContentHashes(located.map((l) => l.hash))).map((t) => [t.contentHash, t]));
      const out: IngestResult = { created: [], duplicates: [] };
      const seen = new Map<string, TrackRecordLike>();
      for (const { item, media, hash, index } of located) {
        const dup = existing.get(hash) ?? seen.get(hash);
        if (dup) {
          out.duplicates.push({ index, track: dup });
          continue;
        }
        const track = await tracks.create({ ...item, mediaUri: media.uri, contentHash: hash });
        seen.set(hash, track);
        const job = await jobs.enqueue('EMBED_TRACK', { trackId: track.id });
        out.created.push({ track, job });
      }
      return out;
    });
    if (result.created.length > 0) this.onEnqueued();
    return result;
  }
}
