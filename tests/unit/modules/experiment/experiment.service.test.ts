import { ExperimentService } from '../../../../src/modules/experiment/experiment.service';
import { experimentRepositories, readyVideo } from './experiment-fakes';
import { failure } from '../../../helpers/failure';

const admin = { id: 'ada', roles: ['admin' as const] };
const app = { id: 'creator', roles: ['app' as const] };

async function setup() {
  const ctx = experimentRepositories();
  const service = new ExperimentService(ctx.repos, 100);
  const video = await readyVideo(ctx.videos, 'someone-else');
  const arms = [
    { label: 'MRCMV', kind: 'MODEL_VERSION' as const, modelVersionId: ctx.model.id },
    { label: 'Search under tags', kind: 'TAG_SEARCH' as const, tags: ['epic', ' epic ', 'calm'] },
  ];
  return { ...ctx, service, video, arms };
}

describe('ExperimentService', () => {
  it('creates a DRAFT experiment over READY videos of any owner, normalising tags', async () => {
    const { service, video, arms } = await setup();
    const e = await service.createExperiment(admin, {
      name: ' Table 3 ',
      description: null,
      arms,
      videoIds: [video.id],
    });
    expect(e).toMatchObject({ name: 'Table 3', description: '', status: 'DRAFT', videoCount: 1 });
    expect(e.arms.map((a) => [a.position, a.label, a.kind, a.config])).toEqual([
      [0, 'MRCMV', 'MODEL_VERSION', {}],
      [1, 'Search under tags', 'TAG_SEARCH', { tags: ['epic', 'calm'] }],
    ]);
  });

  it('is for admins only', async () => {
    const { service, video, arms } = await setup();
    const input = { name: 'x', arms, videoIds: [video.id] };
    expect((await failure(service.createExperiment(undefined, input))).code).toBe('UNAUTHENTICATED');
    expect((await failure(service.createExperiment(app, input))).code).toBe('FORBIDDEN');
    expect((await failure(service.results(app, video.id))).code).toBe('FORBIDDEN');
  });

  it('refuses arms that could not suggest anything, naming the argument', async () => {
    const { service, video, arms, experiments } = await setup();
    const create = (a: typeof arms | object[], videoIds = [video.id]) =>
      failure(service.createExperiment(admin, { name: 'x', arms: a as typeof arms, videoIds }));
    expect(await create([arms[0]!])).toMatchObject({ code: 'BAD_USER_INPUT', details: { argument: 'arms' } });
    expect(await create([arms[0]!, { label: 'MRCMV', kind: 'RANDOM' }])).toMatchObject({
      details: { argument: 'arms[1].label' },
    });
    expect(await create([{ label: 'm', kind: 'MODEL_VERSION' }, arms[1]!])).toMatchObject({
      details: { argument: 'arms[0].modelVersionId' },
    });
    expect(
      await create([
        { label: 'm', kind: 'MODEL_VERSION', modelVersionId: '00000000-0000-4000-8000-000000000000' },
        arms[1]!,
      ]),
    ).toMatchObject({
      message: expect.stringMatching(/not found/),
    });
    expect(await create([arms[0]!, { label: 't', kind: 'TAG_SEARCH', tags: [' '] }])).toMatchObject({
      details: { argument: 'arms[1].tags' },
    });
    expect(await create([arms[0]!, { label: 'r', kind: 'RANDOM', tags: ['x'] }])).toMatchObject({
      details: { argument: 'arms[1].tags' },
    });
    expect(experiments.rows).toHaveLength(0);
  });

  it('refuses missing, repeated or not READY videos', async () => {
    const { service, video, arms, videos } = await setup();
    const pending = await videos.create({ ownerId: 'o', mediaUri: 'media://p.mp4' });
    const create = (videoIds: string[]) => failure(service.createExperiment(admin, { name: 'x', arms, videoIds }));
    expect(await create([video.id, video.id])).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await create([video.id, '00000000-0000-4000-8000-000000000000'])).toMatchObject({
      message: expect.stringMatching(/not found/),
    });
    expect(await create([pending.id])).toMatchObject({
      message: expect.stringMatching(/must be READY: .* is PENDING/),
    });
  });

  it('moves DRAFT -> RUNNING -> CLOSED and never out of CLOSED', async () => {
    const { service, video, arms } = await setup();
    const e = await service.createExperiment(admin, { name: 'x', arms, videoIds: [video.id] });
    expect((await service.setStatus(admin, e.id, 'RUNNING')).status).toBe('RUNNING');
    expect((await service.setStatus(admin, e.id, 'RUNNING')).status).toBe('RUNNING');
    expect((await failure(service.setStatus(admin, e.id, 'DRAFT'))).code).toBe('FAILED_PRECONDITION');
    expect((await service.setStatus(admin, e.id, 'CLOSED')).status).toBe('CLOSED');
    expect(await failure(service.setStatus(admin, e.id, 'RUNNING'))).toMatchObject({
      code: 'FAILED_PRECONDITION',
      details: { status: 'CLOSED' },
    });
    expect((await failure(service.setStatus(admin, '00000000-0000-4000-8000-000000000000', 'RUNNING'))).code).toBe(
      'NOT_FOUND',
    );
  });
});
