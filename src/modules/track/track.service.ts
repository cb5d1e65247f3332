import { requireRole, type Principal } from '../../auth/principal';
import { badInput, notFound } from '../../common/errors';
import { checkPageSize, keysetPage, type Page } from '../../graphql/page';
import type { TrackAnalysisRecord, TrackAnalysisRepository } from './track-analysis.repository';
import type { TrackFilter, TrackMetadata, TrackRepository, TrackWithLicenses } from './track.repository';

/** A metadata change as given: null or omitted leaves a field; clearBpm forgets the bpm. */
export type TrackMetadataInput = { [K in keyof TrackMetadata]?: TrackMetadata[K] | null } & {
  clearBpm?: boolean | null;
};

/** The catalog: reads for everyone, and the admins' edits (metadata, retirement), each effective on the next query. */
export class TrackService {
  constructor(
    private readonly tracks: TrackRepository,
    private readonly maxPageSize: number,
    private readonly analyses: Pick<TrackAnalysisRepository, 'findByTrackId'>,
  ) {}

  /** The track's music analysis, or null before its ingestion job has run. */
  async getAnalysis(trackId: string): Promise<(TrackAnalysisRecord & { beatCount: number }) | null> {
    const row = await this.analyses.findByTrackId(trackId);
    return row && { ...row, beatCount: row.beats.length };
  }

  async getTrack(id: string): Promise<TrackWithLicenses> {
    const track = await this.tracks.findById(id);
    if (!track) throw notFound('Track', id);
    return track;
  }

  async listTracks(filter: TrackFilter, first: number, after?: string | null): Promise<Page<TrackWithLicenses>> {
    checkPageSize(first, this.maxPageSize);
    checkRange(filter.tempoMin, filter.tempoMax, 'filter.tempoMin');
    checkRange(filter.loudnessMinLufs, filter.loudnessMaxLufs, 'filter.loudnessMinLufs');
    return keysetPage(first, after, (take, cursor) => this.tracks.list(filter, take, cursor));
  }

  /** Changes a track's catalog metadata; suggestions filter on the new moods and bpm at once. */
  async updateTrack(
    principal: Principal | undefined,
    trackId: string,
    input: TrackMetadataInput,
  ): Promise<TrackWithLicenses> {
    requireRole(principal, 'admin');
    const { clearBpm, ...given } = input;
    if (clearBpm && given.bpm != null)
      throw badInput('give either bpm or clearBpm, not both', { argument: 'input.bpm' });
    const fields: TrackMetadata = Object.fromEntries(Object.entries(given).filter(([, v]) => v != null));
    if (clearBpm) fields.bpm = null;
    if (Object.keys(fields).length === 0)
      throw badInput('input changes nothing: give at least one field', { argument: 'input' });
    if (!(await this.tracks.findById(trackId))) throw notFound('Track', trackId);
    return this.tracks.updateMetadata(trackId, fields);
  }

  /** Retired tracks leave suggestions and the default catalog view at once; unretire brings them back. */
  async setRetired(principal: Principal | undefined, trackId: string, retired: boolean): Promise<TrackWithLicenses> {
    requireRole(principal, 'admin');
    if (!(await this.tracks.findById(trackId))) throw notFound('Track', trackId);
    return this.tracks.setRetired(trackId, retired);
  }
}

function checkRange(min: number | undefined, max: number | undefined, argument: string): void {
  if (min !== undefined && max !== undefined && min > max)
    throw badInput(`${argument} is above its maximum`, { argument });
}
