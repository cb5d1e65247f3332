import { randomUUID } from 'node:crypto';
import type { App } from '../../src/app/start-app';
import { unitVector } from '../helpers/media';
import { codes, describeMode, gql, MODES, TestEnv, tokenFor } from './harness';

const CREATE = `mutation Create($input: CreateExperimentInput!) {
  createExperiment(input: $input) { id status videoCount arms { id label kind tags modelVersionId } } }`;
const STATUS =
  'mutation Status($id: ID!, $status: ExperimentStatus!) { setExperimentStatus(id: $id, status: $status) { id status } }';
const TASK = `query Task($id: ID!) { preferenceTask(experimentId: $id) {
  task { id previewA previewB expiresAt } progress { done total } } }`;
const VOTE =
  'mutation Vote($taskId: ID!, $choice: PreferenceChoice!) { submitPreference(taskId: $taskId, choice: $choice) { progress { done total } } }';
const RESULTS = `query Results($id: ID!) { experimentResults(experimentId: $id) {
  totalVotes raters bradleyTerryConverged
  pairs { firstArm { label } secondArm { label } total decisive signTestP identicalPairs table
          first { count percent ci95Lower ci95Upper } neutral { count percent } second { count percent } }
  arms { arm { label } wins losses neutral strength } } }`;
const CHOOSE =
  'mutation Choose($videoId: ID!, $trackId: ID!, $rank: Int) { recordBgmChoice(videoId: $videoId, trackId: $trackId, rank: $rank) { id userId rank } }';
const CHOICES =
  'query Choices($first: Int!) { bgmChoices(first: $first) { edges { node { videoId trackId userId rank } } pageInfo { hasNextPage } } }';

/** Tracks, videos and embeddings written straight through the database, as the pipeline would leave them. */
async function seedCatalog(app: App) {
  const p = app.db.prisma;
  const model = await app.repos.models.upsert({
    name: 'mrcmv',
    version: 'it',
    dims: 512,
    artifactUri: 'memory://',
    manifest: {},
  });
  const tracks = [];
  for (let i = 0; i < 6; i++) {
    const track = await p.track.create({
      data: {
        title: `track ${i}`,
        artist: 'A',
        mediaUri: `media://t${i}.ogg`,
        contentHash: `exp-${i}-${randomUUID()}`,
        status: 'READY',
        tags: i < 3 ? ['epic'] : ['calm'],
        licenses: { create: { licensor: 'L' } },
      },
    });
    await app.repos.embeddings.upsertTrackEmbedding(track.id, model.id, unitVector(512, i));
    // Two 32 s windows; track 3, nearest to video 0, fits it best from 32 s on.
    await app.repos.embeddings.replaceTrackSegments(track.id, model.id, [
      { windowIndex: 0, startSec: 0, embedding: unitVector(512, i === 3 ? 5 : i) },
      { windowIndex: 1, startSec: 32, embedding: unitVector(512, i) },
    ]);
    tracks.push(track);
  }
  const videos = [];
  for (let i = 0; i < 3; i++) {
    const video = await p.video.create({
      data: { ownerId: 'creator', mediaUri: `media://v${i}.mp4`, status: 'READY' },
    });
    await app.repos.embeddings.upsertVideoEmbedding(video.id, model.id, unitVector(512, 3 + i, 0.02));
    videos.push(video);
  }
  return { model, tracks, videos };
}

describe.each(MODES)('experiments', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    let app: App;
    let admin: string;
    let appToken: string;
    let raters: Record<string, string>;
    let catalog: Awaited<ReturnType<typeof seedCatalog>>;

    const arms = () => [
      { label: 'MRCMV', kind: 'MODEL_VERSION', modelVersionId: catalog.model.id },
      { label: 'Search under tags', kind: 'TAG_SEARCH', tags: ['epic'] },
      { label: 'Random', kind: 'RANDOM' },
    ];
    async function running(input: Record<string, unknown>) {
      const created = await gql(app, CREATE, { input }, admin);
      expect(created.errors).toBeUndefined();
      const id = created.data!.createExperiment.id as string;
      expect(codes(await gql(app, STATUS, { id, status: 'RUNNING' }, admin))).toEqual([]);
      return created.data!.createExperiment;
    }

    beforeAll(async () => {
      app = await env.start();
      admin = await tokenFor(app, 'admin');
      appToken = await tokenFor(app, 'app', 'creator');
      raters = Object.fromEntries(
        await Promise.all(['r1', 'r2', 'r3'].map(async (r) => [r, await tokenFor(app, 'rater', r)])),
      );
      catalog = await seedCatalog(app);
    });
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    it('needs an admin for every admin operation and a rater for every rater one', async () => {
      const id = randomUUID();
      const input = { name: 'x', arms: arms(), videoIds: [catalog.videos[0]!.id] };
      const adminOps: [string, Record<string, unknown>][] = [
        [CREATE, { input }],
        [STATUS, { id, status: 'RUNNING' }],
        [RESULTS, { id }],
        [CHOICES, { first: 5 }],
        ['query { experiments { id } }', {}],
      ];
      for (const [op, vars] of adminOps) {
        expect(codes(await gql(app, op, vars))).toEqual(['UNAUTHENTICATED']);
        expect(codes(await gql(app, op, vars, appToken))).toEqual(['FORBIDDEN']);
        expect(codes(await gql(app, op, vars, raters.r1))).toEqual(['FORBIDDEN']);
      }
      for (const [op, vars] of [
        [TASK, { id }],
        [VOTE, { taskId: id, choice: 'A' }],
        ['{ raterExperiments { id } }', {}],
      ] as const) {
        expect(codes(await gql(app, op, vars))).toEqual(['UNAUTHENTICATED']);
        expect(codes(await gql(app, op, vars, appToken))).toEqual(['FORBIDDEN']);
      }
      expect(await app.db.prisma.experiment.count()).toBe(0);
    });

    it('reproduces a preference table from votes cast by several raters through the API', async () => {
      const experiment = await running({
        name: 'Table 2',
        description: 'HoK400',
        arms: arms(),
        videoIds: catalog.videos.slice(0, 2).map((v) => v.id),
      });
      expect(experiment.arms.map((a: any) => [a.label, a.tags])).toEqual([
        ['MRCMV', []],
        ['Search under tags', ['epic']],
        ['Random', []],
      ]);
      const label = new Map<string, string>(experiment.arms.map((a: any) => [a.id, a.label]));
      // Scripted raters: MRCMV always wins except r3 is neutral on MRCMV vs tags for the second
      // video; on tags vs random r1 prefers tags, r2 is neutral and r3 prefers random.
      const prefers = (rater: string, labels: [string, string], videoIndex: number): string | null => {
        if (labels.includes('MRCMV'))
          return rater === 'r3' && labels.includes('Search under tags') && videoIndex === 1 ? null : 'MRCMV';
        return { r1: 'Search under tags', r2: null, r3: 'Random' }[rater] ?? null;
      };
      for (const [rater, token] of Object.entries(raters)) {
        const seen = new Set<string>();
        for (;;) {
          const res = await gql(app, TASK, { id: experiment.id }, token);
          expect(res.errors).toBeUndefined();
          const { task, progress } = res.data!.preferenceTask;
          expect(progress.done).toBe(seen.size);
          expect(progress.total).toBe(6);
          if (!task) break;
          expect(JSON.stringify(task)).not.toMatch(/MRCMV|tags|Random|track/);
          // The rater cannot see the arms; the test reads the hidden assignment from the database.
          const row = await app.db.prisma.preferenceTask.findUniqueOrThrow({ where: { id: task.id } });
          const [a, b] = row.firstIsA ? [row.firstArmId, row.secondArmId] : [row.secondArmId, row.firstArmId];
          const videoIndex = catalog.videos.findIndex((v) => v.id === row.videoId);
          const winner = prefers(rater, [label.get(a)!, label.get(b)!], videoIndex);
          const choice = winner === null ? 'NEUTRAL' : winner === label.get(a) ? 'A' : 'B';
          const vote = await gql(app, VOTE, { taskId: task.id, choice }, token);
          expect(vote.errors).toBeUndefined();
          seen.add(`${row.videoId}/${row.firstArmId}/${row.secondArmId}`);
          expect(vote.data!.submitPreference.progress).toEqual({ done: seen.size, total: 6 });
        }
        expect(seen.size).toBe(6);
      }
      // Sides were randomised (18 tasks all on one side would be a 2^-17 coincidence).
      const sides = await app.db.prisma.preferenceTask.groupBy({
        by: ['firstIsA'],
        where: { experimentId: experiment.id },
        _count: true,
      });
      expect(sides).toHaveLength(2);

      const res = await gql(app, RESULTS, { id: experiment.id }, admin);
      expect(res.errors).toBeUndefined();
      const r = res.data!.experimentResults;
      expect(r).toMatchObject({ totalVotes: 18, raters: 3, bradleyTerryConverged: true });
      const rows = r.pairs.map((p: any) => [
        p.firstArm.label,
        p.secondArm.label,
        p.first.count,
        p.neutral.count,
        p.second.count,
        p.decisive,
      ]);
      expect(rows).toEqual([
        ['MRCMV', 'Search under tags', 5, 1, 0, 5],
        ['MRCMV', 'Random', 6, 0, 0, 6],
        ['Search under tags', 'Random', 2, 2, 2, 4],
      ]);
      const [tagsPair, randomPair, baselines] = r.pairs;
      expect(tagsPair.table).toBe('\tMRCMV\tNeutral\tSearch under tags\nPreferred\t83.3%\t16.7%\t0.0%');
      expect(tagsPair.first.percent).toBeCloseTo(83.333, 3);
      expect(tagsPair.signTestP).toBeCloseTo(2 / 32, 12);
      expect(randomPair.signTestP).toBeCloseTo(2 / 64, 12);
      expect(baselines.signTestP).toBe(1);
      // Wilson 95% for 5 of 6, in percent.
      expect(tagsPair.first.ci95Lower).toBeCloseTo(43.65, 1);
      expect(tagsPair.first.ci95Upper).toBeCloseTo(96.99, 1);
      const strength = Object.fromEntries(r.arms.map((a: any) => [a.arm.label, a.strength]));
      expect(strength.MRCMV + strength['Search under tags'] + strength.Random).toBeCloseTo(1, 9);
      expect(strength.MRCMV).toBeGreaterThan(strength['Search under tags']);
      expect(r.arms.find((a: any) => a.arm.label === 'MRCMV')).toMatchObject({ wins: 11, losses: 0, neutral: 1 });
      expect(codes(await gql(app, STATUS, { id: experiment.id, status: 'CLOSED' }, admin))).toEqual([]);

      // The model arm plays what suggestBgm serves: video 0's best track from its best window.
      const modelArm = experiment.arms.find((a: any) => a.label === 'MRCMV').id as string;
      const tasks = await app.db.prisma.preferenceTask.findMany({
        where: { experimentId: experiment.id, videoId: catalog.videos[0]!.id },
      });
      const modelSides = tasks.flatMap((t) => [
        ...(t.firstArmId === modelArm ? [[t.firstTrackId, t.firstStartSec]] : []),
        ...(t.secondArmId === modelArm ? [[t.secondTrackId, t.secondStartSec]] : []),
      ]);
      expect(modelSides.length).toBeGreaterThan(0);
      for (const side of modelSides) expect(side).toEqual([catalog.tracks[3]!.id, 32]);
    });

    it('keeps votes honest: one per rater and task, none on forged, foreign, expired or closed tasks', async () => {
      const experiment = await running({
        name: 'integrity',
        arms: arms().slice(0, 2),
        videoIds: catalog.videos.map((v) => v.id),
      });
      const votes = () => app.db.prisma.preferenceVote.count({ where: { task: { experimentId: experiment.id } } });
      const task = (await gql(app, TASK, { id: experiment.id }, raters.r1)).data!.preferenceTask.task;
      expect(codes(await gql(app, VOTE, { taskId: task.id, choice: 'A' }, raters.r2))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(app, VOTE, { taskId: randomUUID(), choice: 'A' }, raters.r1))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(app, VOTE, { taskId: 'not-a-task', choice: 'A' }, raters.r1))).toEqual(['BAD_USER_INPUT']);
      expect(await votes()).toBe(0);
      expect(codes(await gql(app, VOTE, { taskId: task.id, choice: 'B' }, raters.r1))).toEqual([]);
      expect(codes(await gql(app, VOTE, { taskId: task.id, choice: 'A' }, raters.r1))).toEqual(['CONFLICT']);
      expect(await votes()).toBe(1);

      const next = (await gql(app, TASK, { id: experiment.id }, raters.r1)).data!.preferenceTask.task;
      await app.db.prisma.preferenceTask.update({
        where: { id: next.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      const expired = await gql(app, VOTE, { taskId: next.id, choice: 'A' }, raters.r1);
      expect(codes(expired)).toEqual(['FAILED_PRECONDITION']);
      expect(expired.errors![0]!.message).toMatch(/expired/);

      const open = (await gql(app, TASK, { id: experiment.id }, raters.r2)).data!.preferenceTask.task;
      expect(codes(await gql(app, STATUS, { id: experiment.id, status: 'CLOSED' }, admin))).toEqual([]);
      expect(codes(await gql(app, VOTE, { taskId: open.id, choice: 'A' }, raters.r2))).toEqual(['FAILED_PRECONDITION']);
      expect(codes(await gql(app, TASK, { id: experiment.id }, raters.r2))).toEqual(['FAILED_PRECONDITION']);
      expect(codes(await gql(app, STATUS, { id: experiment.id, status: 'RUNNING' }, admin))).toEqual([
        'FAILED_PRECONDITION',
      ]);
      expect(await votes()).toBe(1);

      // Preview links: a tampered signature gets 403 and renders nothing.
      const url = new URL(open.previewA, app.url);
      url.searchParams.set('sig', `${url.searchParams.get('sig')!.slice(0, -2)}xx`);
      expect((await fetch(url)).status).toBe(403);
      expect((await fetch(`${app.url}/rater/preview/${open.id}/A`)).status).toBe(403);
    });

    it('refuses experiments that could not be rated, writing nothing', async () => {
      const pending = await app.db.prisma.video.create({ data: { ownerId: 'o', mediaUri: 'media://p.mp4' } });
      const bad = [
        { name: 'x', arms: arms().slice(0, 1), videoIds: [catalog.videos[0]!.id] },
        { name: 'x', arms: arms(), videoIds: [pending.id] },
        { name: 'x', arms: [{ label: 'm', kind: 'MODEL_VERSION' }, arms()[1]], videoIds: [catalog.videos[0]!.id] },
      ];
      const before = await app.db.prisma.experiment.count();
      for (const input of bad) expect(codes(await gql(app, CREATE, { input }, admin))).toEqual(['BAD_USER_INPUT']);
      expect(await app.db.prisma.experiment.count()).toBe(before);
    });

    it('records the BGM a creator used, for the video owner only, and lists it for export', async () => {
      const [video] = catalog.videos;
      const [track] = catalog.tracks;
      const stranger = await tokenFor(app, 'app', 'stranger');
      expect(codes(await gql(app, CHOOSE, { videoId: video!.id, trackId: track!.id }, stranger))).toEqual([
        'NOT_FOUND',
      ]);
      expect(codes(await gql(app, CHOOSE, { videoId: video!.id, trackId: randomUUID() }, appToken))).toEqual([
        'NOT_FOUND',
      ]);
      expect(codes(await gql(app, CHOOSE, { videoId: video!.id, trackId: track!.id }, admin))).toEqual(['FORBIDDEN']);
      expect(await app.db.prisma.bgmChoice.count()).toBe(0);
      const ok = await gql(app, CHOOSE, { videoId: video!.id, trackId: track!.id, rank: 1 }, appToken);
      expect(ok.data!.recordBgmChoice).toMatchObject({ userId: 'creator', rank: 1 });
      const list = await gql(app, CHOICES, { first: 10 }, admin);
      expect(list.data!.bgmChoices.edges.map((e: any) => e.node)).toEqual([
        { videoId: video!.id, trackId: track!.id, userId: 'creator', rank: 1 },
      ]);
    });
  });
});
