import { notFound } from '../../common/errors';
import { checkPageSize, keysetPage, type Page } from '../../graphql/page';
import type { TrackFilter, TrackRepository, TrackWithLicenses } from './track.repository';

export class TrackService {
  constructor(
    private readonly tracks: TrackRepository,
    private readonly maxPageSize: number,
  ) {}

  async getTrack(id: string): Promise<TrackWithLicenses> {
    const track = await this.tracks.findById(id);
    if (!track) throw notFound('Track', id);
    return track;
  }

  async listTracks(filter: TrackFilter, first: number, after?: string | null): Promise<Page<TrackWithLicenses>> {
    checkPageSize(first, this.maxPageSize);
    return keysetPage(first, after, (take, cursor) => this.tracks.list(filter, take, cursor));
  }
}
