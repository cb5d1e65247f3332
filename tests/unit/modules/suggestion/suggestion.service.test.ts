import { AppError, ErrorCode } from '../../../../src/common/errors';
import { type SuggestOutcome, SuggestionService } from '../../../../src/modules/suggestion/suggestion.service';
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

  it('returns the statement’s ranked page numbered from 1, asking for a candidate pool of at least 3x first', async () => {
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
    const track = (title: string) =>
      repos.tracks.create({ title, artist: 'x', mediaUri: 'm', contentHash: title, tags: [], moods: [], license });
    const [a, b] = [await track('a'), await track('b')];
    repos.videoSuggestions.ranked = [
      {
        track: a,
        license: a.licenses[0]!,
        score: 0.95,
        relevance: 3,
        startOffsetSec: 64,
        vocalPenalty: 0,
        vocalPresence: null,
      },
      {
        track: b,
        license: b.licenses[0]!,
        score: 0.6,
        relevance: 1,
        startOffsetSec: 0,
        vocalPenalty: 0,
        vocalPresence: 0.1,
      },
    ];
    const res = await service.suggestBgm(owner, video.id, 2, { territory: 'IS' });
    expect(res.modelVersion).toBe(model);
    expect(res.suggestions.map((s) => [s.rank, s.track.title, s.score, s.relevance, s.startOffsetSec])).toEqual([
      [1, 'a', 0.95, 3, 64],
      [2, 'b', 0.6, 1, 0],
    ]);
    expect(repos.videoSuggestions.calls.at(-1)).toEqual({
      videoId: video.id,
      callerId: owner.id,
      callerIsAdmin: false,
      first: 2,
      pool: 30,
      filter: { territory: 'IS' },
      // The instrumental preference goes into the statement unless the caller turns it off.
      instrumental: { minCoverage: 0.25, penalty: 1 },
    });
    await service.suggestBgm(owner, video.id, 2, { preferInstrumental: false });
    expect(repos.videoSuggestions.calls.at(-1)!.instrumental).toBeUndefined();
    expect((await failure(service.suggestBgm(owner, video.id, 51))).code).toBe(ErrorCode.BadUserInput);
    expect((await failure(service.suggestBgm(owner, video.id, 5, { bpmMin: 120, bpmMax: 90 }))).code).toBe(
      ErrorCode.BadUserInput,
    );
    expect((await failure(service.suggestBgm({ id: 'other', roles: ['app'] }, video.id, 5))).code).toBe(
      ErrorCode.NotFound,
    );
    // An admin sees any video.
    const asAdmin = await service.suggestBgm({ id: 'ops', roles: ['admin'] }, video.id, 1);
    expect(asAdmin.suggestions).toHaveLength(1);
  });

  it('reads the active version’s row once, and again when another version (or a re-activation) is active', async () => {
    const { service, video, repos } = await setup();
    repos.videos.rows[0]!.status = 'READY';
    const loads = jest.spyOn(repos.models, 'findById');
    const v1 = fakeModel({ version: '1' });
    repos.models.setActive(v1);
    await repos.embeddings.upsertVideoEmbedding(video.id, v1.id, [1, 0]);
    expect((await service.suggestBgm(owner, video.id, 5)).modelVersion.version).toBe('1');
    expect((await service.suggestBgm(owner, video.id, 5)).modelVersion.version).toBe('1');
    expect(loads).toHaveBeenCalledTimes(1);

    const v2 = fakeModel({ version: '2' });
    repos.models.setActive(v2);
    await repos.embeddings.upsertVideoEmbedding(video.id, v2.id, [1, 0]);
    expect((await service.suggestBgm(owner, video.id, 5)).modelVersion.version).toBe('2');
    expect(loads).toHaveBeenCalledTimes(2);

    // v1 active again (a roll-back): its row is read afresh, with the new activation time.
    const again = { ...v1, activatedAt: new Date(v1.activatedAt!.getTime() + 1000) };
    repos.models.setActive(again);
    expect((await service.suggestBgm(owner, video.id, 5)).modelVersion.activatedAt).toEqual(again.activatedAt);
    expect(loads).toHaveBeenCalledTimes(3);
  });

  it('tells its observer how each call ended: the time, and the version of a served page', async () => {
    const { repos, video } = await setup();
    const outcomes: SuggestOutcome[] = [];
    const videos = { requestEmbedding: () => Promise.resolve() };
    const service = new SuggestionService(repos, videos, 50, undefined, (o) => outcomes.push(o));
    await expect(service.suggestBgm(owner, video.id, 5)).rejects.toThrow(/PENDING/);
    repos.videos.rows[0]!.status = 'READY';
    const model = fakeModel();
    repos.models.setActive(model);
    await repos.embeddings.upsertVideoEmbedding(video.id, model.id, [1, 0]);
    await service.suggestBgm(owner, video.id, 5);
    expect(outcomes.map((o) => [o.failed, o.failed ? undefined : o.modelVersion])).toEqual([
      [true, undefined],
      [false, model],
    ]);
    for (const o of outcomes) expect(o.seconds).toBeGreaterThanOrEqual(0);
  });
});
