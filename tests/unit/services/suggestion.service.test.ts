import { AppError, ErrorCode } from '../../../src/common/errors';
import { SuggestionService } from '../../../src/modules/suggestion/suggestion.service';
import { VideoService } from '../../../src/modules/video/video.service';
import { fakeModel, fakeRepositories, fakeStorage } from '../../helpers/fakes';

const owner = { id: 'creator', roles: ['app' as const] };

async function setup() {
  const { repos, uow } = fakeRepositories();
  const videos = new VideoService(repos, uow, fakeStorage({ 'v.mp4': 'V' }), () => undefined);
  const service = new SuggestionService(repos, videos, 50);
  const { video } = await videos.registerVideo(owner, { mediaUri: 'v.mp4' });
  return { repos, service, video };
}

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, details: err.details };
  }
  throw new Error('expected an AppError');
};

describe('SuggestionService', () => {
  it('refuses videos that are not READY, naming their status', async () => {
    const { service, video, repos } = await setup();
    expect(await failure(service.suggestBgm(owner, video.id, 5))).toEqual({ code: ErrorCode.FailedPrecondition, details: { status: 'PENDING' } });
    repos.videos.rows[0]!.status = 'FAILED';
    repos.videos.rows[0]!.error = 'no audio track';
    const failed = service.suggestBgm(owner, video.id, 5);
    await expect(failed).rejects.toThrow(/FAILED: no audio track/);
  });

  it('needs an active model and the video’s embedding under it', async () => {
    const { service, video, repos } = await setup();
    repos.videos.rows[0]!.status = 'READY';
    expect((await failure(service.suggestBgm(owner, video.id, 5))).code).toBe(ErrorCode.FailedPrecondition);
    const model = fakeModel();
    repos.models.setActive(model);
    await expect(service.suggestBgm(owner, video.id, 5)).rejects.toThrow(/no embedding for the active model/);
  });

  it('returns ranked tracks from the nearest-neighbour query, bounded by first', async () => {
    const { service, video, repos } = await setup();
    repos.videos.rows[0]!.status = 'READY';
    const model = fakeModel();
    repos.models.setActive(model);
    await repos.embeddings.upsertVideoEmbedding(video.id, model.id, [1, 0]);
    const a = await repos.tracks.create({ title: 'a', artist: 'x', mediaUri: 'm', contentHash: 'h1', tags: [], moods: [] });
    const b = await repos.tracks.create({ title: 'b', artist: 'x', mediaUri: 'm', contentHash: 'h2', tags: [], moods: [] });
    repos.embeddings.nearest = [{ trackId: b.id, score: 0.9 }, { trackId: a.id, score: 0.5 }];
    const res = await service.suggestBgm(owner, video.id, 1);
    expect(res.suggestions.map((s) => [s.rank, s.track.title, s.score])).toEqual([[1, 'b', 0.9]]);
    expect((await failure(service.suggestBgm(owner, video.id, 51))).code).toBe(ErrorCode.BadUserInput);
    expect((await failure(service.suggestBgm({ id: 'other', roles: ['app'] }, video.id, 5))).code).toBe(ErrorCode.NotFound);
  });
});
