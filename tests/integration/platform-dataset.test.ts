import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readDatasetManifest } from '../../lab/dataset/dataset-manifest';
import { exportDataset } from '../../lab/dataset/export-dataset';
import type { App } from '../../src/app/start-app';
import { snapshotPlatformDataset } from '../../src/modules/choice/platform-dataset';
import { PrismaTrainingPairRepository } from '../../src/modules/choice/training-pairs.repository';
import { openMediaStorage } from '../../src/storage/open-media-storage';
import { makeTone, makeVideo } from '../helpers/media';
import { codes, describeMode, gql, MODES, tokenFor, useApp } from './harness';
import { syncStagedMedia } from './object-store';

const CHOOSE = `mutation($videoId: ID!, $trackId: ID!, $startSec: Float) {
  recordBgmChoice(videoId: $videoId, trackId: $trackId, startSec: $startSec) { id startSec } }`;

/** READY tracks and videos with real media, written as the pipeline leaves them. */
async function seed(app: App, root: string) {
  const p = app.db.prisma;
  const tracks = [];
  for (const [i, hz] of [300, 450, 600].entries()) {
    makeTone(root, `pd-t${i}.ogg`, hz, 40);
    tracks.push(
      await p.track.create({
        data: {
          title: `t${i}`,
          artist: 'A',
          mediaUri: `media://pd-t${i}.ogg`,
          contentHash: `pd-${i}-${app.config.dataDir}`,
          status: 'READY',
          durationSec: 40,
          licenses: { create: { licensor: 'L' } },
        },
      }),
    );
  }
  const videos = [];
  for (let i = 0; i < 4; i++) {
    makeVideo(root, `pd-v${i}.mp4`, 6);
    videos.push(
      await p.video.create({
        data: {
          ownerId: 'creator',
          mediaUri: `media://pd-v${i}.mp4`,
          durationSec: 6,
          // The last one never finished embedding: its choice is not training data.
          status: i === 3 ? 'FAILED' : 'READY',
        },
      }),
    );
  }
  await syncStagedMedia(app);
  return { tracks, videos };
}

describe('dataset:from-platform (issue 16)', () => {
  for (const mode of MODES) {
    describeMode(mode, () => {
      const app = useApp(mode);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-platform-ds-'));
      afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

      it('snapshots choices (with their cut) and votes, splits by time, and exports with the serving front end', async () => {
        const a = app();
        const { tracks, videos } = await seed(a, a.config.mediaRoot);
        const creator = await tokenFor(a, 'app', 'creator');
        const choose = (v: number, t: number, startSec?: number) =>
          gql(a, CHOOSE, { videoId: videos[v]!.id, trackId: tracks[t]!.id, startSec }, creator);
        // Bounds: a start past the track's end, or negative, is refused and nothing is recorded.
        expect(codes(await choose(0, 0, 40))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await choose(0, 0, -1))).toEqual(['BAD_USER_INPUT']);
        const c0 = (await choose(0, 0, 5)).data!.recordBgmChoice;
        expect(c0.startSec).toBe(5);
        const c3 = (await choose(3, 2, 1)).data!.recordBgmChoice; // FAILED video: left out
        const c1 = (await choose(1, 1)).data!.recordBgmChoice;
        // A rater preferred side A of a task on video 0, where A was the second arm's track 1 at 7 s.
        const p = a.db.prisma;
        const exp = await p.experiment.create({
          data: {
            name: 'pd',
            arms: { create: [0, 1].map((position) => ({ position, label: `arm${position}`, kind: 'RANDOM' })) },
          },
          include: { arms: true },
        });
        const task = await p.preferenceTask.create({
          data: {
            experimentId: exp.id,
            videoId: videos[0]!.id,
            raterId: 'r1',
            firstArmId: exp.arms[0]!.id,
            firstTrackId: tracks[0]!.id,
            firstStartSec: 3,
            secondArmId: exp.arms[1]!.id,
            secondTrackId: tracks[1]!.id,
            secondStartSec: 7,
            firstIsA: false,
            expiresAt: new Date(Date.now() + 3_600_000),
          },
        });
        const vote = await p.preferenceVote.create({ data: { taskId: task.id, raterId: 'r1', choice: 'A' } });
        await p.preferenceVote.create({ data: { taskId: task.id, raterId: 'r2', choice: 'NEUTRAL' } });
        const c2 = (await choose(2, 2, 12.5)).data!.recordBgmChoice; // the newest: held out

        const summary = await snapshotPlatformDataset(new PrismaTrainingPairRepository(p), openMediaStorage(a.config), {
          outDir: path.join(out, mode),
          heldOutFraction: 0.3,
        });
        expect(summary).toMatchObject({ items: 4, train: 3, test: 1, choices: 3, votes: 1, tracks: 3, videos: 3 });
        const manifest = readDatasetManifest(path.join(out, mode, 'manifest.json'));
        const byId = Object.fromEntries(manifest.items.map((i) => [i.videoId, i]));
        expect(Object.keys(byId).sort()).toEqual([`c-${c0.id}`, `c-${c1.id}`, `c-${c2.id}`, `v-${vote.id}`].sort());
        expect(byId[`c-${c3.id}`]).toBeUndefined();
        expect(byId[`c-${c0.id}`]).toMatchObject({
          trackId: tracks[0]!.id,
          split: 'train',
          musicOffsetSec: 5,
          durationSec: 6,
        });
        expect(byId[`c-${c1.id}`]).toMatchObject({ trackId: tracks[1]!.id, split: 'train', musicOffsetSec: 0 });
        expect(byId[`v-${vote.id}`]).toMatchObject({ trackId: tracks[1]!.id, split: 'train', musicOffsetSec: 7 });
        expect(byId[`c-${c2.id}`]).toMatchObject({ trackId: tracks[2]!.id, split: 'test', musicOffsetSec: 12.5 });
        // The voice-over is the video's own audio here; one copy per file.
        expect(byId[`c-${c0.id}`]!.voiceOverFile).toBe(byId[`c-${c0.id}`]!.videoFile);
        expect(fs.readdirSync(path.join(out, mode, 'videos'))).toHaveLength(3);

        const exported = path.join(out, `${mode}-x`);
        await exportDataset({ datasetDir: path.join(out, mode), outDir: exported, frameSize: 64, concurrency: 1 });
        for (const id of Object.keys(byId))
          expect(fs.readdirSync(path.join(exported, 'items', id)).sort()).toEqual(
            expect.arrayContaining(['frames.npy', 'voice.npy']),
          );
        // Writing over a snapshot is refused.
        await expect(
          snapshotPlatformDataset(new PrismaTrainingPairRepository(p), openMediaStorage(a.config), {
            outDir: path.join(out, mode),
            heldOutFraction: 0.3,
          }),
        ).rejects.toThrow(/is not empty/);
      });
    });
  }
});
