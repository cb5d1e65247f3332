import { AppError, ErrorCode } from '../../../../src/common/errors';
import { IngestService } from '../../../../src/modules/ingest/ingest.service';
import { fakeRepositories, fakeStorage } from '../../../helpers/fakes';

const admin = { id: 'root', roles: ['admin' as const] };
const item = (mediaUri: string, title = mediaUri) => ({ mediaUri, title, artist: 'A', tags: [], moods: [] });

function setup(maxBatch = 3) {
  const { repos, uow } = fakeRepositories();
  let kicks = 0;
  const service = new IngestService(
    uow,
    fakeStorage({ 'a.ogg': 'A', 'b.ogg': 'B', 'a-copy.ogg': 'A' }),
    maxBatch,
    () => kicks++,
  );
  return { repos, service, kicks: () => kicks };
}

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
};

describe('IngestService', () => {
  it('requires an admin', async () => {
    const { service, repos } = setup();
    expect(await code(service.ingestTracks(undefined, [item('a.ogg')]))).toBe(ErrorCode.Unauthenticated);
    expect(await code(service.ingestTracks({ id: 'u', roles: ['app'] }, [item('a.ogg')]))).toBe(ErrorCode.Forbidden);
    expect(repos.tracks.rows).toHaveLength(0);
  });

  it('creates one track and one EMBED_TRACK job per new file and wakes the relay once', async () => {
    const { service, repos, kicks } = setup();
    const res = await service.ingestTracks(admin, [item('a.ogg'), item('b.ogg')]);
    expect(res.created.map((c) => c.track.title)).toEqual(['a.ogg', 'b.ogg']);
    expect(repos.jobs.rows.map((j) => [j.kind, j.payload])).toEqual([
      ['EMBED_TRACK', { trackId: res.created[0]!.track.id }],
      ['EMBED_TRACK', { trackId: res.created[1]!.track.id }],
    ]);
    expect(res.created[0]!.track.mediaUri).toBe('media://a.ogg');
    expect(kicks()).toBe(1);
  });

  it('reports files already in the catalog, or repeated in the batch, as duplicates without writing', async () => {
    const { service, repos } = setup();
    await service.ingestTracks(admin, [item('a.ogg')]);
    const res = await service.ingestTracks(admin, [item('a-copy.ogg'), item('b.ogg'), item('b.ogg', 'again')]);
    expect(res.created.map((c) => c.track.title)).toEqual(['b.ogg']);
    expect(res.duplicates.map((d) => [d.index, d.track.title])).toEqual([
      [0, 'a.ogg'],
      [2, 'b.ogg'],
    ]);
    expect(repos.tracks.rows).toHaveLength(2);
    expect(repos.jobs.rows).toHaveLength(2);
  });

  it('writes nothing when any item is bad, and bounds the batch', async () => {
    const { service, repos } = setup();
    expect(await code(service.ingestTracks(admin, [item('a.ogg'), item('missing.ogg')]))).toBe(ErrorCode.BadUserInput);
    expect(await code(service.ingestTracks(admin, []))).toBe(ErrorCode.BadUserInput);
    expect(await code(service.ingestTracks(admin, [item('a.ogg'), item('a.ogg'), item('a.ogg'), item('b.ogg')]))).toBe(
      ErrorCode.BadUserInput,
    );
    expect(repos.tracks.rows).toHaveLength(0);
    expect(repos.jobs.rows).toHaveLength(0);
  });
});
