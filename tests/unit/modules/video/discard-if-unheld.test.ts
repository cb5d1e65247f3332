import { AppError, ErrorCode } from '../../../../src/common/errors';
import { discardIfUnheld, PENDING_DELETION_OWNER } from '../../../../src/modules/video/upload.service';
import { FakeUploads, FakeVideos } from '../../../helpers/fakes';

const URI = 'media://uploads/abc.mp4';

describe('discardIfUnheld', () => {
  const setup = (discard: () => Promise<void>) => {
    const repos = { uploads: new FakeUploads(), videos: new FakeVideos() };
    const calls: string[] = [];
    const storage = {
      discard: (uri: string) => {
        calls.push(uri);
        return discard();
      },
      discardFolder: (uri: string) => {
        calls.push(`folder ${uri}`);
        return discard();
      },
    };
    return { repos, storage, calls };
  };

  it('removes a file no one holds, and keeps one someone holds', async () => {
    const { repos, storage, calls } = setup(() => Promise.resolve());
    expect(await discardIfUnheld(repos, storage, URI)).toBe('removed');
    await repos.uploads.record({ mediaUri: URI, ownerId: 'bob', sizeBytes: 1 });
    expect(await discardIfUnheld(repos, storage, URI)).toBe('kept');
    expect(calls).toEqual([URI]);
  });

  it('leaves a tombstone for the sweep when the store is unavailable, instead of failing the deletion', async () => {
    const down = new AppError(ErrorCode.ServiceUnavailable, 'the media store is unavailable');
    const { repos, storage } = setup(() => Promise.reject(down));
    expect(await discardIfUnheld(repos, storage, URI)).toBe('deferred');
    expect(repos.uploads.rows).toEqual([
      { mediaUri: URI, ownerId: PENDING_DELETION_OWNER, sizeBytes: 0, createdAt: new Date(0), registeredAt: null },
    ]);
  });

  it('still fails on any other error (a bug or a permissions problem is not an outage)', async () => {
    const { repos, storage } = setup(() => Promise.reject(new Error('AccessDenied')));
    await expect(discardIfUnheld(repos, storage, URI)).rejects.toThrow('AccessDenied');
    expect(repos.uploads.rows).toEqual([]);
  });

  it("removes a whole folder named with a trailing slash (a deleted video's previews), deferred the same way", async () => {
    const { repos, storage, calls } = setup(() => Promise.resolve());
    expect(await discardIfUnheld(repos, storage, 'media://previews/v1/')).toBe('removed');
    expect(calls).toEqual(['folder media://previews/v1']);
    const down = new AppError(ErrorCode.ServiceUnavailable, 'the media store is unavailable');
    const offline = setup(() => Promise.reject(down));
    expect(await discardIfUnheld(offline.repos, offline.storage, 'media://previews/v1/')).toBe('deferred');
    expect(offline.repos.uploads.rows.map((r) => r.mediaUri)).toEqual(['media://previews/v1/']);
  });
});
