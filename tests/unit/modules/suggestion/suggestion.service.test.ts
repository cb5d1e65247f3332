import { AppError, ErrorCode } from '../../../../src/common/errors';
import { SuggestionService } from '../../../../src/modules/suggestion/suggestion.service';
import { VideoService } from '../../../../src/modules/video/video.service';
import { fakeModel, fakeRepositories, fakeStorage } from '../../../helpers/fakes';

const owner = { id: 'creator', roles: ['app' as const] };

async function setup() {
  const { repos, uow } = fakeRepositories();
  const videos = new VideoService(repos, uow, fakeStorage({ 'v.mp4': 'V' }), () => undefined, 100);
  const service = new SuggestionService(repos, videos, 50);
  await repos.uploads.record({ mediaUri: 'media://v.mp4', ownerId: owner.id, sizeBytes: 1 });
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
    expect(await failure(service.suggestBgm(owner, video.id, 5))).toEqual({
      code: ErrorCode.FailedPrecondition,
      details: { status: 'PENDING' },
    });
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
    await expect(service.suggestBgm(owner, video.id, 5)).rejects.toThrow(/being embedded for the active model/);
    // ...and it queued that embedding, once however often it is asked.
    await expect(service.suggestBgm(owner, video.id, 5)).rejects.toThrow(/being embedded/);
    expect(repos.jobs.rows.filter((j) => j.dedupKey === `embed-video:${video.id}:${model.id}`)).toHaveLength(1);
  });

  it('returns ranked tracks from the nearest-neighbour query, bounded by first', async () => {
    const { service, video, repos } = await setup();
    repos.videos.rows[0]!.status = 'READY';
    const model = fakeModel();
    repos.models.setActive(model);
    await repos.embeddings.upsertVideoEmbedding(video.id, model.id, [1, 0]);
    const license = {
      licensor: 'L',
      territoriesAllowed: [],
      territoriesDenied: [],
      platforms: [],
      commercialUse: false,
    };
    const a = await repos.tracks.create({
      title: 'a',
      artist: 'x',
      mediaUri: 'm',
      contentHash: 'h1',
      tags: [],
      moods: [],
      license,
    });
    const b = await repos.tracks.create({
      title: 'b',
      artist: 'x',
      mediaUri: 'm',
      contentHash: 'h2',
      tags: [],
      moods: [],
      license,
    });
    const c = await repos.tracks.create({
      title: 'c',
      artist: 'x',
      mediaUri: 'm',
      contentHash: 'h3',
      tags: [],
      moods: [],
      license,
    });
    const lic = (t: typeof a) => t.licenses[0]!.id;
    repos.embeddings.nearest = [
      { trackId: b.id, score: 0.9, licenseId: lic(b) },
      { trackId: a.id, score: 0.5, licenseId: lic(a) },
      { trackId: c.id, score: 0.4, licenseId: lic(c) },
    ];
    // a's best 32 s window fits better than b's: re-ranked by window, with its start offset.
    repos.embeddings.windows = [
      { trackId: b.id, startSec: 0, score: 0.6 },
      { trackId: a.id, startSec: 64, score: 0.95 },
    ];
    const res = await service.suggestBgm(owner, video.id, 2);
    expect(res.suggestions.map((s) => [s.rank, s.track.title, s.score, s.startOffsetSec, s.license.id])).toEqual([
      [1, 'a', 0.95, 64, lic(a)],
      [2, 'b', 0.6, 0, lic(b)],
    ]);
    // With the model's score scaling, b's window scores unusually well for b (which fits most videos
    // at about 0.3), a's does not: b ranks first, and both keep their raw cosine as score.
    repos.embeddings.nearest = [
      { trackId: b.id, score: 0.9, licenseId: lic(b), scaling: { mean: 0.3, std: 0.1 } },
      { trackId: a.id, score: 0.5, licenseId: lic(a), scaling: { mean: 0.9, std: 0.05 } },
    ];
    const scaled = await service.suggestBgm(owner, video.id, 2);
    expect(scaled.suggestions.map((s) => [s.track.title, s.score, s.relevance])).toEqual([
      ['b', 0.6, expect.closeTo(3, 6)],
      ['a', 0.95, expect.closeTo(1, 6)],
    ]);
    expect((await failure(service.suggestBgm(owner, video.id, 51))).code).toBe(ErrorCode.BadUserInput);
    expect((await failure(service.suggestBgm(owner, video.id, 5, { bpmMin: 120, bpmMax: 90 }))).code).toBe(
      ErrorCode.BadUserInput,
    );
    expect((await failure(service.suggestBgm({ id: 'other', roles: ['app'] }, video.id, 5))).code).toBe(
      ErrorCode.NotFound,
    );
  });
});
