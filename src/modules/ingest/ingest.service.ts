import { requireRole, type Principal } from '../../auth/principal';
import { badInput } from '../../common/errors';
import type { JobRecord, TrackRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import type { JobRepository } from '../../jobs/job.repository';
import type { MediaStorage } from '../../storage/media-storage';
import type { NewLicense } from '../license/license.repository';
import type { TrackRepository, TrackWithLicenses } from '../track/track.repository';
import type { UploadRepository } from '../video/upload.repository';
import { locateUpload } from '../video/upload.service';
import type { VideoRepository } from '../video/video.repository';

/** What one ingest transaction writes: tracks, their jobs, and the locks on their media files. */
export interface IngestRepositories {
  tracks: Pick<TrackRepository, 'findByContentHashes' | 'create'>;
  jobs: Pick<JobRepository, 'enqueue'>;
  videos: Pick<VideoRepository, 'lockMedia'>;
  uploads: Pick<UploadRepository, 'markRegistered' | 'remove'>;
}

export interface IngestTrackItem {
  /** A file already in media storage (an upload). Exactly one of mediaUri and sourceUrl. */
  mediaUri?: string | null;
  /** A URL on an allowlisted host to download the file from. */
  sourceUrl?: string | null;
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
  duplicates: { index: number; track: TrackRecord }[];
}

/**
 * Catalog ingest: validates every item first (bad input writes nothing), then records tracks,
 * licenses, jobs and outbox messages in one transaction and wakes the relay.
 */
export class IngestService {
  constructor(
    private readonly uow: UnitOfWork<IngestRepositories>,
    private readonly storage: MediaStorage,
    private readonly maxBatchSize: number,
    private readonly onEnqueued: () => void,
  ) {}

  async ingestTracks(principal: Principal | undefined, items: IngestTrackItem[]): Promise<IngestResult> {
    const admin = requireRole(principal, 'admin');
    if (items.length === 0 || items.length > this.maxBatchSize) {
      throw badInput(`tracks must hold 1 to ${this.maxBatchSize} items`, {
        argument: 'tracks',
        max: this.maxBatchSize,
      });
    }
    const fetched: string[] = [];
    let located;
    try {
      located = await this.locateAll(admin.id, items, fetched);
    } catch (err) {
      // Bad input writes nothing: drop what this call downloaded before the failure.
      await Promise.all(fetched.map((uri) => this.storage.discard(uri)));
      throw err;
    }
    const result = await this.uow.run(async ({ tracks, jobs, videos, uploads }) => {
      // A video deletion must not remove a stored file this batch is about to refer to (uploads
      // are content-addressed, so a creator's upload and a catalog file can be the same file).
      await videos.lockMedia(located.map((l) => l.media.uri));
      for (const { media, index } of located) await this.storage.locate(media.uri, `tracks[${index}]`);
      const existing = new Map(
        (await tracks.findByContentHashes(located.map((l) => l.hash))).map((t) => [t.contentHash, t]),
      );
      const out: IngestResult = { created: [], duplicates: [] };
      const seen = new Map<string, TrackRecord>();
      for (const { item, media, hash, index } of located) {
        const dup = existing.get(hash) ?? seen.get(hash);
        if (dup) {
          out.duplicates.push({ index, track: dup });
          continue;
        }
        const { sourceUrl: _source, ...fields } = item;
        const track = await tracks.create({ ...fields, mediaUri: media.uri, contentHash: hash });
        seen.set(hash, track);
        const job = await jobs.enqueue('EMBED_TRACK', { trackId: track.id });
        out.created.push({ track, job });
      }
      // The admin's own uploads now hold catalog tracks: no longer counted against the quota, nor swept.
      await uploads.markRegistered(
        admin.id,
        out.created.map((c) => c.track.mediaUri),
      );
      return out;
    });
    if (result.created.length > 0) this.onEnqueued();
    return result;
  }

  /** Validates every item (files exist and fit the limits, URLs are allowed) before anything is written. */
  private async locateAll(adminId: string, items: IngestTrackItem[], fetched: string[]) {
    const out = [];
    for (const [index, item] of items.entries()) {
      if (Boolean(item.mediaUri) === Boolean(item.sourceUrl)) {
        throw badInput(`tracks[${index}]: give exactly one of mediaUri and sourceUrl`, {
          argument: `tracks[${index}]`,
        });
      }
      if (item.sourceUrl) {
        const f = await this.storage.fetchUrl(item.sourceUrl, `tracks[${index}].sourceUrl`);
        if (f.created) fetched.push(f.uri);
        out.push({ item, media: { uri: f.uri }, hash: f.sha256, index });
      } else {
        const media = await locateUpload(this.storage, this.uow, adminId, item.mediaUri!, `tracks[${index}].mediaUri`);
        out.push({ item, media, hash: await this.storage.sha256(media), index });
      }
    }
    return out;
  }
}
