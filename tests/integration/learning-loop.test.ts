import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readDatasetManifest } from '../../lab/dataset/dataset-manifest';
import { exportDataset } from '../../lab/dataset/export-dataset';
import { makeDataset } from '../../lab/dataset/make-dataset';
import { PRESET_KNOBS, PRESETS } from '../../lab/dataset/presets';
import { runPythonModule, SMALL_DATA_RECIPE } from '../../lab/evaluation/voice-ablation';
import type { App } from '../../src/app/start-app';
import { wilcoxonSignedRank } from '../../src/common/hypothesis-tests';
import { createLogger } from '../../src/common/logger';
import type { ModelEvaluation } from '../../src/jobs/handlers/model-evaluation';
import { snapshotPlatformDataset } from '../../src/modules/choice/platform-dataset';
import { ModelRegistryService } from '../../src/modules/model-version/model-registry.service';
import { openMediaStorage } from '../../src/storage/open-media-storage';
import { gql, grantUploads, TestEnv, tokenFor } from './harness';
import { ingest, modelDir, servedRank, settledTracks, waitFor } from './pipeline-helpers';

/**
 * Issue 16's loop on the embedded default, end to end: simulated creators register the videos of
 * a generated dataset and record which track they used (the right one four times in five, a wrong
 * one otherwise, in the order the videos were made); dataset:from-platform snapshots the choices
 * (the newest 30 % held out), the lab export and the small-data recipe train a model on the rest,
 * the training job's registration makes it a CANDIDATE, the gate compares it with the active
 * model on the held-out choices, and after activation suggestBgm serves from it; the held-out
 * choices' served ranks before and after are printed with a one-sided paired Wilcoxon test.
 *
 * At CI's size (30 videos) the improvement is not asserted: 9 held-out choices are too few for a
 * paired test. LOOP_E2E_REQUIRE_IMPROVEMENT=1 asserts it (one-sided Wilcoxon p < 0.05) for the
 * documented size, LOOP_E2E_VIDEOS=120 (84 training, 36 held out, 30 epochs; about 16 minutes
 * here): mean rank 7.94 -> 5.86 of 14, better on 23, worse on 13, p = 0.016 with the dataset seed
 * 21; 6.89 -> 5.56, 21 / 10, p = 0.059 with seed 22, which the flag fails (2026-12-05;
 * docs/OPERATIONS.md). With 60 videos it was 7.28 -> 6.17, p = 0.28.
 *
 * The platform starts from the integration suite's untrained model (BGM_TEST_MODEL_DIR), a fresh
 * installation's position; LOOP_E2E_MODEL_DIR=models/default starts it from the bundled default.
 * From there 120 videos were not enough (6.31 -> 5.86, p = 0.31), and LOOP_E2E_VIDEOS=240 beat it:
 * 72 held-out choices, 6.04 -> 4.76, better on 36, worse on 21, p = 0.0077, gate "better" (seed 21,
 * 39 minutes here; docs/OPERATIONS.md, "Does the loop learn?").
 */
const MUSIC_DIR = '/usr/share/games/wesnoth/1.16/data/core/music';
/** LOOP_E2E_VIDEOS=120 for the figures of docs/OPERATIONS.md; CI runs the loop at the smaller size. */
const VIDEOS = Number(process.env.LOOP_E2E_VIDEOS ?? 30);
/** The generated dataset's seed (videos, voices, which track each uses). */
const SEED = Number(process.env.LOOP_E2E_SEED ?? 21);
const REQUIRE_IMPROVEMENT = process.env.LOOP_E2E_REQUIRE_IMPROVEMENT === '1';
/** The version the platform starts from: the suite's untrained model unless LOOP_E2E_MODEL_DIR names another (models/default: the bundled one). */
const START_MODEL = () => process.env.LOOP_E2E_MODEL_DIR ?? modelDir();
/** 30 min up to 120 videos, then 15 s per video: registering and embedding dominate at larger sizes. */
const TIMEOUT_MS = Math.max(1_800_000, VIDEOS * 15_000);
const suite = (fs.existsSync(MUSIC_DIR) || process.env.CI) && modelDir() ? describe : describe.skip;

suite('[embedded] learning loop (issue 16)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-loop-'));
  const env = new TestEnv('embedded');
  let app: App | undefined;
  afterAll(async () => {
    await app?.stop();
    await env.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it(
    'runs choices -> snapshot -> training -> registry -> gate -> activation, and prints the held-out ranks before and after',
    async () => {
      const datasetDir = path.join(work, 'generated');
      await makeDataset({
        musicDir: MUSIC_DIR,
        outDir: datasetDir,
        seed: SEED,
        presetName: 'small',
        preset: { ...PRESETS.small, videos: VIDEOS },
        knobs: PRESET_KNOBS.small,
        licenseFrom: 'wesnoth-1.16-music',
        concurrency: 2,
        force: true,
      });
      const generated = readDatasetManifest(path.join(datasetDir, 'manifest.json'));
      app = await env.start({
        MODEL_DIR: START_MODEL()!,
        RUN_JOBS: 'true',
        MAX_TRACK_SECONDS: '1200',
        JOB_RETRY_BASE_MS: '200',
        ACTIVATION_CHECK_INTERVAL_MS: '500',
      });
      const a = app;
      const copy = (rel: string) => {
        fs.mkdirSync(path.dirname(path.join(env.mediaRoot, rel)), { recursive: true });
        fs.copyFileSync(path.join(datasetDir, rel), path.join(env.mediaRoot, rel));
        return rel;
      };
      const trackIds = await ingest(
        a,
        generated.tracks.map((t) => ({ mediaUri: copy(t.file), title: t.trackId })),
      );
      // The bundled model embeds a window every 2 s of up to 20 min of music per track: minutes on a loaded machine.
      const tracks = await settledTracks(a, trackIds, 900_000);
      expect(tracks.filter((t) => t.status !== 'READY')).toEqual([]);
      const trackByName = new Map(tracks.map((t) => [t.title, t.id]));

      // The creators: one per video, in the order the videos were made.
      const choices: { videoId: string; trackId: string }[] = [];
      for (const [k, item] of generated.items.entries()) {
        const owner = `creator-${k}`;
        const token = await tokenFor(a, 'app', owner);
        const i = { mediaUri: copy(item.videoFile), voiceOverUri: copy(item.voiceOverFile) };
        await grantUploads(a, owner, i.mediaUri, i.voiceOverUri);
        const reg = await gql(
          a,
          'mutation($i: RegisterVideoInput!) { registerVideo(input: $i) { video { id } } }',
          { i },
          token,
        );
        const videoId = reg.data!.registerVideo.video.id as string;
        await waitFor(
          async () => ((await a.repos.videos.findById(videoId))?.status === 'READY' ? true : undefined),
          `video ${k} READY`,
          240_000,
        );
        // The right track four times in five; otherwise the next track of the catalog.
        const right = generated.tracks.findIndex((t) => t.trackId === item.trackId);
        const chosen = generated.tracks[k % 5 === 4 ? (right + 1) % generated.tracks.length : right]!.trackId;
        const trackId = trackByName.get(chosen)!;
        const res = await gql(
          a,
          `mutation { recordBgmChoice(videoId: "${videoId}", trackId: "${trackId}", startSec: ${chosen === item.trackId ? item.musicOffsetSec : 0}) { id } }`,
          {},
          token,
        );
        expect(res.errors).toBeUndefined();
        choices.push({ videoId, trackId });
      }

      // Snapshot (newest 30 % held out), export with the serving front end, train the small-data recipe.
      const storage = openMediaStorage(a.config);
      const snapshot = await snapshotPlatformDataset(a.repos.trainingPairs, storage, {
        outDir: path.join(work, 'snapshot'),
        heldOutFraction: 0.3,
      });
      expect(snapshot).toMatchObject({ items: VIDEOS, test: Math.ceil(VIDEOS * 0.3), votes: 0 });
      await exportDataset({
        datasetDir: path.join(work, 'snapshot'),
        outDir: path.join(work, 'x'),
        frameSize: 64,
        concurrency: 2,
      });
      const modelOut = path.join(work, 'model');
      await runPythonModule([
        'training.mrcmv.train',
        ...SMALL_DATA_RECIPE,
        '--dataset',
        path.join(work, 'x'),
        '--out',
        path.join(work, 'run'),
        '--epochs',
        String(VIDEOS >= 60 ? 30 : 15),
        '--seed',
        '1',
        '--export',
        modelOut,
        '--version',
        'loop-1',
      ]);

      // The training job's last step, then the probe.
      const active = (await a.repos.models.findActive())!;
      const registry = new ModelRegistryService(a.uow, storage, () => undefined, createLogger('silent'));
      const candidate = await registry.registerFolder({ id: 'training-job', roles: ['admin'] }, modelOut, {
        parentVersionId: active.id,
        notes: 'learning-loop test',
      });
      await waitFor(
        async () => ((await a.repos.models.findById(candidate.id))?.status === 'CANDIDATE' ? true : undefined),
        'the probe',
      );

      // Where the held-out choices rank before: suggestBgm over the whole catalog, as served.
      const heldOut = choices.slice(choices.length - snapshot.test);
      const ranks = async () => {
        const out: number[] = [];
        for (const c of heldOut) out.push(await servedRank(a, c.videoId, c.trackId, trackIds.length));
        return out;
      };
      const before = await ranks();

      const admin = await tokenFor(a, 'admin');
      const asked = await gql(
        a,
        `mutation { evaluateModelVersion(id: "${candidate.id}", heldOutFraction: 0.3) { id } }`,
        {},
        admin,
      );
      expect(asked.errors).toBeUndefined();
      const evaluation = await waitFor(
        async () => {
          const e = (await a.repos.models.findById(candidate.id))!.evaluation as unknown as ModelEvaluation;
          return e.status === 'PREPARING' ? undefined : e;
        },
        'the gate',
        // It first embeds the catalog and the held-out videos under the candidate: minutes at 240 videos.
        Math.max(240_000, VIDEOS * 4_000),
      );
      process.stderr.write(`learning loop: gate ${JSON.stringify(evaluation.result ?? evaluation.reason)}\n`);
      expect(evaluation.status).toBe('DONE');

      const act = await gql(a, `mutation { activateModelVersion(id: "${candidate.id}") { id } }`, {}, admin);
      expect(act.errors).toBeUndefined();
      await waitFor(
        async () => ((await a.repos.models.findActive())?.id === candidate.id ? true : undefined),
        'activation',
      );
      const after = await ranks();
      const test = wilcoxonSignedRank(before.map((b, i) => b - after[i]!));
      const mean = (r: number[]) => r.reduce((s, x) => s + x, 0) / r.length;
      process.stderr.write(
        `learning loop: ${heldOut.length} held-out choices over ${trackIds.length} tracks; mean rank before ${mean(before).toFixed(2)}, ` +
          `after ${mean(after).toFixed(2)}; after better on ${after.filter((r, i) => r < before[i]!).length}, worse on ` +
          `${after.filter((r, i) => r > before[i]!).length}; one-sided Wilcoxon p = ${test.pGreater.toPrecision(3)}\n`,
      );
      // The gate ranked every held-out choice, and the activated model serves the held-out videos.
      expect(evaluation.result!.n).toBe(snapshot.test);
      expect(after).toHaveLength(heldOut.length);
      expect(after.every((r) => r >= 1 && r <= trackIds.length)).toBe(true);
      const served = await a.db.prisma.videoEmbedding.count({
        where: { modelVersionId: candidate.id, videoId: { in: heldOut.map((c) => c.videoId) } },
      });
      expect(served).toBe(heldOut.length);
      if (REQUIRE_IMPROVEMENT) expect(test.pGreater).toBeLessThan(0.05);
    },
    TIMEOUT_MS,
  );
});
