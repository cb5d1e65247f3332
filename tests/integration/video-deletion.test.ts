import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../../src/app/start-app';
import { EmbedVideoHandler } from '../../src/jobs/handlers/embed-video.handler';
import { RenderPreviewHandler } from '../../src/jobs/handlers/render-preview.handler';
import type { Embedder } from '../../src/inference/embedder';
import type { ModelStore } from '../../src/modules/model-version/model-store';
import { openMediaStorage } from '../../src/storage/open-media-storage';
import { createLogger } from '../../src/common/logger';
import { makeTone, makeVideo, unitVector } from '../helpers/media';
import { codes, describeMode, gql, grantUploads, MODES, tokenFor, upload, useApp } from './harness';
import { storedExists, storedNames } from './object-store';
import { fetchRaterPreview } from './pipeline-helpers';

const REGISTER = `mutation($i: RegisterVideoInput!) { registerVideo(input: $i) { video { id } job { id } } }`;
const DELETE = `mutation($id: ID!) { deleteVideo(id: $id) { videoId removedFromExperiments deletedVotes cancelledJobs deletedFiles } }`;

/** Everything in the database that refers to a video. */
async function traces(app: App, videoId: string) {
  const p = app.db.prisma;
  return {
    video: await p.video.count({ where: { id: videoId } }),
    embeddings: await p.videoEmbedding.count({ where: { videoId } }),
    choices: await p.bgmChoice.count({ where: { videoId } }),
    experiments: await p.experimentVideo.count({ where: { videoId } }),
    tasks: await p.preferenceTask.count({ where: { videoId } }),
    jobs: await p.job.count({ where: { payload: { path: ['videoId'], equals: videoId } } }),
  };
}

describe.each(MODES)('deleteVideo', (mode) => {
  describeMode(mode, () => {
    const use = useApp(mode, { RUN_JOBS: 'false', DEMO_CATALOG: 'false' });
    const exists = storedExists;

    async function registered(app: App, token: string, mediaUri: string, voiceOverUri?: string) {
      const res = await gql(app, REGISTER, { i: { mediaUri, ...(voiceOverUri ? { voiceOverUri } : {}) } }, token);
      expect(res.errors).toBeUndefined();
      return res.data!.registerVideo.video.id as string;
    }

    /** A READY track, an embedding of the video and a recorded choice: what a used video leaves. */
    async function used(app: App, videoId: string) {
      const model = await app.repos.models.upsert({
        name: 'mrcmv',
        version: 'del',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      const name = `t-${randomUUID()}.wav`;
      makeTone(app.config.mediaRoot, name, 500, 1);
      const track = await app.db.prisma.track.create({
        data: {
          title: 't',
          artist: 'a',
          mediaUri: `media://${name}`,
          contentHash: randomUUID(),
          status: 'READY',
          licenses: { create: { licensor: 'L' } },
        },
      });
      await app.repos.embeddings.upsertTrackEmbedding(track.id, model.id, unitVector(512, 1));
      await app.repos.embeddings.upsertVideoEmbedding(videoId, model.id, unitVector(512, 1));
      await app.db.prisma.bgmChoice.create({ data: { videoId, trackId: track.id, userId: 'alice' } });
      return { model, track };
    }

    it('deletes the video, its voice-over, embeddings, choices and unfinished job, and nothing of anyone else', async () => {
      const app = use();
      makeVideo(app.config.mediaRoot, 'shared.mp4', 1);
      makeTone(app.config.mediaRoot, 'voice.wav', 440, 1);
      const alice = await tokenFor(app, 'app', 'alice');
      const bob = await tokenFor(app, 'app', 'bob');
      await grantUploads(app, 'alice', 'shared.mp4', 'voice.wav');
      await grantUploads(app, 'bob', 'shared.mp4');
      const mine = await registered(app, alice, 'shared.mp4', 'voice.wav');
      const other = await registered(app, bob, 'shared.mp4');
      await used(app, mine);
      const before = await traces(app, mine);
      expect(before).toEqual({ video: 1, embeddings: 1, choices: 1, experiments: 0, tasks: 0, jobs: 1 });

      // Not the caller's: it does not exist for them, and nothing changes.
      expect(codes(await gql(app, DELETE, { id: mine }, bob))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(app, DELETE, { id: mine }))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await gql(app, DELETE, { id: 'not-a-uuid' }, alice))).toEqual(['BAD_USER_INPUT']);
      expect(await traces(app, mine)).toEqual(before);
      expect(await Promise.all([exists(app, 'shared.mp4'), exists(app, 'voice.wav')])).toEqual([true, true]);

      const res = await gql(app, DELETE, { id: mine }, alice);
      expect(res.errors).toBeUndefined();
      // The voice-over file goes; the video file stays while bob's video uses it.
      expect(res.data!.deleteVideo).toEqual({
        videoId: mine,
        removedFromExperiments: 0,
        deletedVotes: 0,
        cancelledJobs: 1,
        deletedFiles: 1,
      });
      expect(await traces(app, mine)).toEqual({
        video: 0,
        embeddings: 0,
        choices: 0,
        experiments: 0,
        tasks: 0,
        jobs: 0,
      });
      expect(await Promise.all([exists(app, 'shared.mp4'), exists(app, 'voice.wav')])).toEqual([true, false]);
      expect(codes(await gql(app, `{ video(id: "${mine}") { id } }`, {}, alice))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(app, DELETE, { id: mine }, alice))).toEqual(['NOT_FOUND']);
      expect((await traces(app, other)).video).toBe(1);

      // An admin may delete anyone's video; the last user of the file takes it with it.
      const admin = await tokenFor(app, 'admin');
      expect((await gql(app, DELETE, { id: other }, admin)).data!.deleteVideo).toMatchObject({
        cancelledJobs: 1,
        deletedFiles: 1,
      });
      expect(await exists(app, 'shared.mp4')).toBe(false);
    });

    it('keeps a file a catalog track uses, removes it once nothing uses it, and refuses it afterwards', async () => {
      const app = use();
      makeVideo(app.config.mediaRoot, 'clip.mp4', 1);
      const alice = await tokenFor(app, 'app', 'alice');
      await grantUploads(app, 'alice', 'clip.mp4');
      const id = await registered(app, alice, 'clip.mp4');
      const track = await app.db.prisma.track.create({
        data: { title: 't', artist: 'a', mediaUri: 'media://clip.mp4', contentHash: randomUUID() },
      });
      expect((await gql(app, DELETE, { id }, alice)).data!.deleteVideo.deletedFiles).toBe(0);
      expect(await exists(app, 'clip.mp4')).toBe(true);
      await app.db.prisma.track.delete({ where: { id: track.id } });
      // Her upload went with her video (the track kept the file): she uploads it again.
      expect(codes(await gql(app, REGISTER, { i: { mediaUri: 'clip.mp4' } }, alice))).toEqual(['BAD_USER_INPUT']);
      await grantUploads(app, 'alice', 'clip.mp4');

      const again = await registered(app, alice, 'clip.mp4');
      expect((await gql(app, DELETE, { id: again }, alice)).data!.deleteVideo.deletedFiles).toBe(1);
      const videos = await app.db.prisma.video.count();
      expect(codes(await gql(app, REGISTER, { i: { mediaUri: 'clip.mp4' } }, alice))).toEqual(['BAD_USER_INPUT']);
      expect(await app.db.prisma.video.count()).toBe(videos);
    });

    it("never removes a file its owner did not upload: a catalog file, or another user's upload", async () => {
      const app = use();
      const alice = await tokenFor(app, 'app', 'alice');
      const mallory = await tokenFor(app, 'app', 'mallory');
      fs.mkdirSync(path.join(app.config.mediaRoot, 'demo'), { recursive: true });
      fs.writeFileSync(path.join(app.config.mediaRoot, 'demo', 'manifest.json'), '{}');
      const up = await upload(app, alice, Buffer.from('alice-unregistered'), 'draft.mp4');
      expect(up.status).toBe(201);

      // The attack: register someone else's file as one's own video, then delete the video.
      for (const mediaUri of ['media://demo/manifest.json', up.mediaUri!]) {
        const res = await gql(app, REGISTER, { i: { mediaUri } }, mallory);
        if (!res.errors) await gql(app, DELETE, { id: res.data!.registerVideo.video.id }, mallory);
        expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      }
      expect(await Promise.all([exists(app, 'demo/manifest.json'), exists(app, up.mediaUri!)])).toEqual([true, true]);

      // A video that refers to a file nobody uploaded (registered before uploads were recorded):
      // deleting it leaves the file.
      const legacy = await app.db.prisma.video.create({
        data: { ownerId: 'mallory', mediaUri: 'media://demo/manifest.json' },
      });
      const res = await gql(app, DELETE, { id: legacy.id }, mallory);
      expect(res.data!.deleteVideo).toMatchObject({ videoId: legacy.id, deletedFiles: 0 });
      expect(await exists(app, 'demo/manifest.json')).toBe(true);

      // Two users who uploaded the same bytes share the file: one's deletion leaves the other's.
      const bob = await tokenFor(app, 'app', 'bob');
      expect((await upload(app, bob, Buffer.from('alice-unregistered'), 'draft.mp4')).mediaUri).toBe(up.mediaUri);
      const alices = await registered(app, alice, up.mediaUri!);
      expect((await gql(app, DELETE, { id: alices }, alice)).data!.deleteVideo.deletedFiles).toBe(0);
      expect(await exists(app, up.mediaUri!)).toBe(true);
      const bobs = await registered(app, bob, up.mediaUri!);
      expect((await gql(app, DELETE, { id: bobs }, bob)).data!.deleteVideo.deletedFiles).toBe(1);
      expect(await exists(app, up.mediaUri!)).toBe(false);
    });

    it('a worker that was embedding the video when it was deleted stores nothing and finishes quietly', async () => {
      const app = use();
      makeVideo(app.config.mediaRoot, 'inflight.mp4', 2);
      const alice = await tokenFor(app, 'app', 'alice');
      await grantUploads(app, 'alice', 'inflight.mp4');
      const model = await app.repos.models.upsert({
        name: 'mrcmv',
        version: 'inflight',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      await app.repos.models.activate(model.id);
      let deleteDuringEmbedding = false;
      let videoId = '';
      // The real decoders and database; the model is a stand-in that deletes the video mid-job.
      const embedder: Embedder = {
        embedMusic: () => Promise.reject(new Error('not used')),
        embedQuery: async () => {
          if (deleteDuringEmbedding) await app.services.videos.deleteVideo({ id: 'alice', roles: ['app'] }, videoId);
          return unitVector(512, 3);
        },
      };
      const models = {
        folder: () => ({ dir: '/nowhere', manifest: { video: { width: 32, height: 32 } } }),
      } as unknown as ModelStore;
      const handler = new EmbedVideoHandler({
        repos: app.repos,
        uow: app.uow,
        embedder,
        models,
        vad: {
          detect: () => Promise.resolve({ segments: [], coverage: 0, durationSec: 0 }),
          speechShare: () => Promise.resolve(0),
        },
        onPendingModelEmbedded: () => Promise.resolve(),
        storage: openMediaStorage(app.config),
        limits: { maxMediaBytes: 10 * 1024 * 1024, maxTrackSeconds: 600, maxVideoSeconds: 600, minMediaSeconds: 1 },
      });
      const ctx = { logger: createLogger('silent'), heartbeat: () => undefined };
      const register = async () => {
        const res = await gql(app, REGISTER, { i: { mediaUri: 'inflight.mp4' } }, alice);
        videoId = res.data!.registerVideo.video.id as string;
        return (await app.repos.jobs.findById(res.data!.registerVideo.job.id as string))!;
      };

      // Control: the same handler stores the embedding when nobody deletes the video.
      let job = await register();
      await handler.run(job, ctx);
      expect(await traces(app, videoId)).toMatchObject({ video: 1, embeddings: 1 });

      job = await register();
      deleteDuringEmbedding = true;
      await handler.run(job, ctx);
      expect(await traces(app, videoId)).toEqual({
        video: 0,
        embeddings: 0,
        choices: 0,
        experiments: 0,
        tasks: 0,
        jobs: 0,
      });
      // The runner then marks the job done: its row went with the video, which must not throw.
      await app.repos.jobs.succeed(job.id);
      await app.repos.jobs.fail(job.id, 'x');
      expect(await app.repos.jobs.findById(job.id)).toBeNull();
    });

    it('takes the video out of experiments with its tasks and votes; results count what remains', async () => {
      const app = use();
      const admin = await tokenFor(app, 'admin');
      const creator = await tokenFor(app, 'app', 'alice');
      const rater = await tokenFor(app, 'rater', 'rita');
      const videoIds: string[] = [];
      for (const name of ['e1.mp4', 'e2.mp4']) {
        makeVideo(app.config.mediaRoot, name, 1);
        await grantUploads(app, 'alice', name);
        const id = await registered(app, creator, name);
        await app.db.prisma.video.update({ where: { id }, data: { status: 'READY', durationSec: 1 } });
        videoIds.push(id);
      }
      const { model } = await used(app, videoIds[0]!);
      await app.repos.embeddings.upsertVideoEmbedding(videoIds[1]!, model.id, unitVector(512, 2));
      for (let i = 0; i < 2; i++) {
        makeTone(app.config.mediaRoot, `r${i}.wav`, 300 + 100 * i, 1);
        await app.db.prisma.track.create({
          data: {
            title: `r${i}`,
            artist: 'a',
            mediaUri: `media://r${i}.wav`,
            contentHash: randomUUID(),
            status: 'READY',
            licenses: { create: { licensor: 'L' } },
          },
        });
      }
      const created = await gql(
        app,
        `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { id } }`,
        {
          input: {
            name: 'del',
            arms: [
              { label: 'r1', kind: 'RANDOM' },
              { label: 'r2', kind: 'RANDOM' },
            ],
            videoIds,
          },
        },
        admin,
      );
      expect(created.errors).toBeUndefined();
      const experimentId = created.data!.createExperiment.id as string;
      await gql(
        app,
        'mutation($id: ID!) { setExperimentStatus(id: $id, status: RUNNING) { id } }',
        { id: experimentId },
        admin,
      );
      // Rendered previews of a video: previews/<videoId>/renders/ in the media store, either mode.
      const previewsOf = (videoId: string): Promise<string[]> => storedNames(app, `previews/${videoId}/renders`);
      const renderer = new RenderPreviewHandler({
        repos: app.repos,
        storage: openMediaStorage(app.config),
        limits: app.config.media,
        scratchDir: path.join(app.config.dataDir, 'render-scratch'),
        musicGainDb: -6,
        timeoutMs: 60_000,
      });
      for (let i = 0; i < 2; i++) {
        const task = await gql(
          app,
          `query($id: ID!) { preferenceTask(experimentId: $id) { task { id previewA } } }`,
          { id: experimentId },
          rater,
        );
        expect(task.errors).toBeUndefined();
        // A rendered preview carries the voice-over: it must go with the video. This API runs no
        // jobs (RUN_JOBS=false): the render job the page's first ask queued is run here, as a worker would.
        const previewA = task.data!.preferenceTask.task.previewA as string;
        expect(await (await fetch(`${app.url}${previewA}&probe=1`)).json()).toMatchObject({ status: 'PENDING' });
        for (const job of await app.db.prisma.job.findMany({ where: { kind: 'RENDER_PREVIEW', status: 'PENDING' } }))
          await renderer.run(job, { logger: createLogger('silent'), heartbeat: () => undefined });
        expect((await fetchRaterPreview(app, previewA)).status).toBe(200);
        const vote = await gql(
          app,
          'mutation($t: ID!) { submitPreference(taskId: $t, choice: NEUTRAL) { progress { done } } }',
          { t: task.data!.preferenceTask.task.id },
          rater,
        );
        expect(vote.errors).toBeUndefined();
      }
      const totalVotes = async () =>
        (
          await gql(
            app,
            'query($id: ID!) { experimentResults(experimentId: $id) { totalVotes } }',
            { id: experimentId },
            admin,
          )
        ).data!.experimentResults.totalVotes as number;
      expect(await totalVotes()).toBe(2);
      expect((await Promise.all(videoIds.map(previewsOf))).map((names) => names.length)).toEqual([1, 1]);

      const res = await gql(app, DELETE, { id: videoIds[0] }, creator);
      expect(res.errors).toBeUndefined();
      expect(res.data!.deleteVideo).toMatchObject({ removedFromExperiments: 1, deletedVotes: 1, deletedFiles: 1 });
      expect(await traces(app, videoIds[0]!)).toEqual({
        video: 0,
        embeddings: 0,
        choices: 0,
        experiments: 0,
        tasks: 0,
        jobs: 0,
      });
      expect(await totalVotes()).toBe(1);
      const experiment = await gql(
        app,
        'query($id: ID!) { experiment(id: $id) { videoCount } }',
        { id: experimentId },
        admin,
      );
      expect(experiment.data!.experiment.videoCount).toBe(1);
      expect((await traces(app, videoIds[1]!)).tasks).toBe(1);
      expect(await previewsOf(videoIds[0]!)).toEqual([]);
      expect(await previewsOf(videoIds[1]!)).toHaveLength(1);
    });
  });
});
