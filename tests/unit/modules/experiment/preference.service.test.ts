import { PreferenceService } from '../../../../src/modules/experiment/preference.service';
import { ExperimentService } from '../../../../src/modules/experiment/experiment.service';
import { PreviewLinks } from '../../../../src/modules/experiment/preview-links';
import { experimentRepositories, readyVideo } from './experiment-fakes';
import { failure } from '../../../helpers/failure';

const admin = { id: 'ada', roles: ['admin' as const] };
const rater = { id: 'rita', roles: ['rater' as const] };
const other = { id: 'otto', roles: ['rater' as const] };

async function setup(opts: { videos?: number; sameTrack?: boolean } = {}) {
  const ctx = experimentRepositories();
  let clock = Date.parse('2026-11-25T12:00:00Z');
  // Pairs of draws per task: which unit, then whether the first arm plays as A (< 0.5).
  const draws = [0.9, 0.2, 0.6, 0.7, 0.1, 0.3];
  let i = 0;
  const links = new PreviewLinks('x'.repeat(32));
  const service = new PreferenceService(ctx.repos, ctx.uow, links, {
    now: () => new Date(clock),
    random: () => draws[i++ % draws.length]!,
  });
  const admins = new ExperimentService(ctx.repos, 100);
  const videos = [];
  for (let v = 0; v < (opts.videos ?? 2); v++) videos.push(await readyVideo(ctx.videos));
  for (const t of ['t1', 't2', 't3'])
    ctx.trackPool.tracks.push({
      id: `00000000-0000-4000-8000-00000000000${t[1]}`,
      tags: t === 't1' ? ['epic'] : ['calm'],
    });
  const near = opts.sameTrack ? ctx.trackPool.tracks[0]!.id : ctx.trackPool.tracks[2]!.id;
  for (const v of videos) await ctx.embeddings.upsertVideoEmbedding(v.id, ctx.model.id, [1, 0]);
  ctx.embeddings.nearest = [{ trackId: near, score: 0.9, licenseId: 'l' }];
  ctx.embeddings.windows = [{ trackId: near, startSec: 12.5, score: 0.95 }];
  const experiment = await admins.createExperiment(admin, {
    name: 'e',
    arms: [
      { label: 'model', kind: 'MODEL_VERSION', modelVersionId: ctx.model.id },
      { label: 'tags', kind: 'TAG_SEARCH', tags: ['epic'] },
    ],
    videoIds: videos.map((v) => v.id),
  });
  await admins.setStatus(admin, experiment.id, 'RUNNING');
  return {
    ...ctx,
    service,
    admins,
    experiment,
    videos,
    links,
    now: () => new Date(clock),
    tick: (ms: number) => (clock += ms),
  };
}

describe('PreferenceService', () => {
  it('serves a blind pair with signed previews, the same one until it is voted on', async () => {
    // Links are checked at the service's clock, not the wall clock: the fixed test date passes.
    const { service, experiment, preferences, links, now } = await setup();
    const offer = await service.nextTask(rater, experiment.id);
    expect(offer.progress).toEqual({ done: 0, total: 2 });
    const task = offer.task!;
    expect(Object.keys(task).sort()).toEqual(['expiresAt', 'id', 'previewA', 'previewB', 'previewsExpireAt']);
    expect(JSON.stringify(task)).not.toMatch(/model|tags|0000000000/);
    const url = new URL(task.previewA, 'http://x');
    expect(url.pathname).toBe(`/rater/preview/${task.id}/A`);
    expect(links.verify(task.id, 'A', url.searchParams.get('exp')!, url.searchParams.get('sig')!, now())).toBe(true);
    expect(links.verify(task.id, 'B', url.searchParams.get('exp')!, url.searchParams.get('sig')!, now())).toBe(false);
    expect((await service.nextTask(rater, experiment.id)).task!.id).toBe(task.id);
    expect(preferences.tasks).toHaveLength(1);
    expect(preferences.locks.length).toBeGreaterThan(0);
    // The model arm's start offset is kept; the tag arm starts at 0.
    expect(preferences.tasks[0]).toMatchObject({
      firstStartSec: 12.5,
      secondStartSec: 0,
      secondTrackId: '00000000-0000-4000-8000-000000000001',
      sameTrack: false,
    });
  });

  it('counts progress, randomises sides, and returns null when the rater is done', async () => {
    const { service, experiment, preferences } = await setup();
    for (const choice of ['A', 'NEUTRAL'] as const) {
      const { task } = await service.nextTask(rater, experiment.id);
      await service.submit(rater, task!.id, choice);
    }
    expect(new Set(preferences.tasks.map((t) => t.firstIsA)).size).toBe(2);
    expect(new Set(preferences.tasks.map((t) => t.videoId)).size).toBe(2);
    expect(await service.nextTask(rater, experiment.id)).toEqual({ task: null, progress: { done: 2, total: 2 } });
    // Another rater starts afresh.
    expect((await service.nextTask(other, experiment.id)).progress).toEqual({ done: 0, total: 2 });
  });

  it('rejects a second vote, another rater’s task, an unknown task, an expired task and a closed experiment, writing nothing', async () => {
    const { service, admins, experiment, preferences, tick } = await setup({ videos: 3 });
    const { task } = await service.nextTask(rater, experiment.id);
    expect((await failure(service.submit(other, task!.id, 'A'))).code).toBe('FORBIDDEN');
    expect((await failure(service.submit(rater, '00000000-0000-4000-8000-00000000dead', 'A'))).code).toBe('NOT_FOUND');
    expect((await failure(service.submit(undefined, task!.id, 'A'))).code).toBe('UNAUTHENTICATED');
    expect((await failure(service.submit(admin, task!.id, 'A'))).code).toBe('FORBIDDEN');
    expect(preferences.votes).toHaveLength(0);
    await service.submit(rater, task!.id, 'B');
    expect(await failure(service.submit(rater, task!.id, 'A'))).toMatchObject({ code: 'CONFLICT' });
    expect(preferences.votes).toHaveLength(1);

    const second = (await service.nextTask(rater, experiment.id)).task!;
    tick(61 * 60_000);
    expect(await failure(service.submit(rater, second.id, 'A'))).toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: expect.stringMatching(/expired/),
    });
    // The expired task is replaced by a fresh one for a unit not voted on.
    const third = (await service.nextTask(rater, experiment.id)).task!;
    expect(third.id).not.toBe(second.id);
    await admins.setStatus(admin, experiment.id, 'CLOSED');
    expect(await failure(service.submit(rater, third.id, 'A'))).toMatchObject({
      code: 'FAILED_PRECONDITION',
      details: { status: 'CLOSED' },
    });
    expect(await failure(service.nextTask(rater, experiment.id))).toMatchObject({ code: 'FAILED_PRECONDITION' });
    expect(preferences.votes).toHaveLength(1);
  });

  it('hides DRAFT experiments from raters', async () => {
    const { service, admins, videos, model } = await setup();
    const draft = await admins.createExperiment(admin, {
      name: 'd',
      arms: [
        { label: 'a', kind: 'RANDOM' },
        { label: 'b', kind: 'MODEL_VERSION', modelVersionId: model.id },
      ],
      videoIds: [videos[0]!.id],
    });
    expect((await failure(service.nextTask(rater, draft.id))).code).toBe('NOT_FOUND');
    expect((await service.runningExperiments(rater)).map((e) => e.id)).not.toContain(draft.id);
  });

  it('serves a pair whose arms suggest the same track, and records it as a tie by construction', async () => {
    const { service, experiment, preferences } = await setup({ sameTrack: true });
    await service.nextTask(rater, experiment.id);
    expect(preferences.tasks[0]).toMatchObject({ sameTrack: true });
    expect(preferences.tasks[0]!.firstTrackId).toBe(preferences.tasks[0]!.secondTrackId);
  });

  it('skips units an arm cannot serve and explains when none can be served', async () => {
    const { service, experiment, embeddings, videos, model } = await setup();
    embeddings.videos.delete(`${videos[0]!.id}/${model.id}`);
    const { task } = await service.nextTask(rater, experiment.id);
    await service.submit(rater, task!.id, 'A');
    expect(await failure(service.nextTask(rater, experiment.id))).toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: expect.stringMatching(/arm "model": video .* has no embedding/),
    });
  });

  it("says what each side of a task mixes: the video, that arm's track and its start offset", async () => {
    const { service, experiment, preferences } = await setup();
    const { task } = await service.nextTask(rater, experiment.id);
    const row = preferences.tasks[0]!;
    const a = await service.previewSource(task!.id, 'A');
    const b = await service.previewSource(task!.id, 'B');
    const [first, second] = row.firstIsA ? [a, b] : [b, a];
    expect(first).toEqual({ videoId: row.videoId, trackId: row.firstTrackId, startSec: row.firstStartSec });
    expect(second).toEqual({ videoId: row.videoId, trackId: row.secondTrackId, startSec: row.secondStartSec });
  });

  it('serves no task while previews cannot be signed', async () => {
    const ctx = experimentRepositories();
    const service = new PreferenceService(ctx.repos, ctx.uow, new PreviewLinks());
    expect((await failure(service.nextTask(rater, '00000000-0000-4000-8000-000000000000'))).code).toBe(
      'FAILED_PRECONDITION',
    );
  });
});
