import { AppError, ErrorCode } from '../../../../src/common/errors';
import { TrackService } from '../../../../src/modules/track/track.service';
import { FakeTracks } from '../../../helpers/fakes';

describe('TrackService', () => {
  const tracks = new FakeTracks();
  const service = new TrackService(tracks, 3, { findByTrackId: () => Promise.resolve(null) });
  beforeAll(async () => {
    for (const t of ['a', 'b', 'c', 'd', 'e'])
      await tracks.create({ title: t, artist: 'x', mediaUri: 'm', contentHash: t, tags: [], moods: [] });
  });

  it('walks every track exactly once through cursors', async () => {
    const titles: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await service.listTracks({}, 2, after);
      titles.push(...page.edges.map((e) => e.node.title));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(titles).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('rejects page sizes outside 1..max and malformed cursors with BAD_USER_INPUT', async () => {
    for (const [first, after] of [
      [0, null],
      [4, null],
      [2, 'bm90LWEtY3Vyc29y'],
    ] as const) {
      await expect(service.listTracks({}, first, after)).rejects.toMatchObject({ code: ErrorCode.BadUserInput });
    }
  });

  it('says NOT_FOUND for an unknown id', async () => {
    const err = await service.getTrack('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(ErrorCode.NotFound);
  });
});
