import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app';
import { createLogger } from '../../src/common/logger';
import { exportDataset } from '../../src/dataset/export-dataset';
import { readDatasetManifest } from '../../src/dataset/dataset-manifest';

import { makeDataset } from '../../src/dataset/make-dataset';
import { PRESET_KNOBS, PRESETS } from '../../src/dataset/presets';
import { evaluateModels, type EvaluationReport } from '../../src/evaluation/evaluate';
import { recallAt } from '../../src/evaluation/metrics';
import { OnnxEmbedder } from '../../src/inference/embedder';
import { readModelFolder } from '../../src/inference/model-manifest';
import { OnnxPool } from '../../src/inference/onnx-pool';
import { gql, TestEnv, tokenFor } from './harness';
import { ingest, settledTracks, settledVideo, waitFor } from './pipeline-helpers';

/**
 * Issue 6, end to end: generate the small preset (60 videos over 14 tracks, its audible voice
 * delivery: src/dataset/presets.ts PRESET_KNOBS), export it, train a tiny MRCMV and a visual-only
 * baseline (cmmr) with the same budget and recipe, evaluate both exports with src/evaluation,
 * serve the MRCMV export through the app (ingest the tracks, register the test videos with their
 * voice-overs, wait for READY, ask suggestBgm) and compare.
 *
 * With 14 tracks chance is R@1 = 7 %, R@3 = 21 %, R@10 = 71 %.
 *
 * What is asserted, and why (docs/RESULTS.md, "End-to-end test"):
 * - the whole pipeline runs (dataset, export, probe, two trainings, ONNX export, ingestion, READY
 *   videos, suggestBgm over every track); suggestBgm ranks like src/evaluation (same top-1 for
 *   >= 90 % of the videos), so the offline figures are the served ones; served R@10 > 50 %.
 * - the model without the voice-over does worse: on the paper's protocol (each test video's own
 *   32 s music segment among the 23 test segments; training/mrcmv/evaluate.py) MRCMV leads cmmr
 *   in R@10 by >= BENCH_E2E_MIN_SEG_LEAD (15) points and in median rank; on the catalog ranking
 *   (best window of 14 tracks, as served) its median rank is not worse.
 * - only with BENCH_E2E_REQUIRE_LEARNING=1: served R@3 >= BENCH_E2E_MIN_R3 (default 50) and a
 *   lead over cmmr in catalog R@3 >= BENCH_E2E_MIN_LEAD (default 20 points), which 37 training
 *   videos do not reach (docs/DATASET.md, "How much the voice-over can tell").
 *
 * Budget: 15 epochs (BENCH_E2E_EPOCHS); about 5 minutes on an idle 2-core machine.
 */

const MUSIC_DIR = '/usr/share/games/wesnoth/1.16/data/core/music';
const SEED = Number(process.env.BENCH_E2E_SEED ?? 3);
const TRACKS = PRESETS.small.tracks;
const VIDEOS = Number(process.env.BENCH_E2E_VIDEOS ?? PRESETS.small.videos);
const EPOCHS = Number(process.env.BENCH_E2E_EPOCHS ?? 15);
/**
 * The small-data recipe (training/README.md): the per-patch statistics audio encoder, width 64,
 * weight decay, mean reduction, and the video hidden from half the training clips so that the
 * voice-over path must carry the match. Both models get the same arguments; cmmr ignores the
 * voice-only ones.
 */
const TRAIN_ARGS = [
  '--batch-size', '16', '--lr', '1e-3', '--clips-per-video', '8', '--eval-every', '0', '--audio-encoder', 'stats',
  '--d-model', '64', '--weight-decay', '0.05', '--reduction', 'mean', '--video-dropout', '0.5',
];
const REQUIRE_LEARNING = process.env.BENCH_E2E_REQUIRE_LEARNING === '1';
/** Thresholds for REQUIRE_LEARNING: served MRCMV R@3 and its lead over cmmr in R@3. */
const MIN_SERVED_R3 = Number(process.env.BENCH_E2E_MIN_R3 ?? 50);
const MIN_LEAD_R3 = Number(process.env.BENCH_E2E_MIN_LEAD ?? 20);
/** Always asserted: MRCMV's lead over cmmr in R@10 on the paper's segment protocol. */
const MIN_SEG_LEAD_R10 = Number(process.env.BENCH_E2E_MIN_SEG_LEAD ?? 15);
const REPO = path.resolve(__dirname, '../..');

/** Runs `/usr/bin/python3 -m MODULE ...args` from the repository root; resolves with its stdout. */
function python(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-m', ...args], {
      cwd: REPO,
      env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), (output += d.toString())));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`python -m ${args[0]} exited ${code}: ${output.slice(-2000)}`))));
  });
}

function train(dataset: string, runDir: string, variant: string, exportDir: string): Promise<string> {
  return python(['training.mrcmv.train', '--dataset', dataset, '--out', runDir, '--variant', variant, '--epochs', String(EPOCHS),
    '--seed', String(SEED), ...TRAIN_ARGS, '--export', exportDir, '--version', `e2e-${variant}-seed${SEED}`]);
}

const haveMusic = fs.existsSync(MUSIC_DIR);
// CI installs wesnoth-1.16-music: there a missing folder is a failure, not a skip.
const suite = haveMusic || process.env.CI ? describe : describe.skip;
if (!haveMusic) process.stderr.write(`benchmark e2e: ${MUSIC_DIR} missing (apt-get install wesnoth-1.16-music)\n`);

suite('[embedded] benchmark end to end (issue 6)', () => {
  // BENCH_E2E_WORK keeps the dataset, exports and models there (and reuses them when present).
  const keep = process.env.BENCH_E2E_WORK;
  const work = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-e2e-'));
  const done = (dir: string, file: string) => fs.existsSync(path.join(dir, file));
  const datasetDir = path.join(work, 'dataset');
  const exportDir = path.join(work, 'export');
  const models = { full: path.join(work, 'model-full'), cmmr: path.join(work, 'model-cmmr') };
  const env = new TestEnv('embedded');
  let app: App | undefined;
  let report: EvaluationReport;
  const timings: Record<string, number> = {};
  const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const out = await fn();
    timings[what] = (Date.now() - t) / 1000;
    return out;
  };

  afterAll(async () => {
    await app?.stop();
    await env.cleanup();
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
    process.stderr.write(`benchmark e2e timings (s): ${JSON.stringify(timings)}\n`);
  });

  it('generates and exports the benchmark, and trains MRCMV and cmmr with the same budget', async () => {
    if (!haveMusic) throw new Error(`${MUSIC_DIR} is missing: apt-get install wesnoth-1.16-music`);
    const preset = { ...PRESETS.small, videos: VIDEOS };
    if (!done(datasetDir, 'manifest.json')) {
      await timed('dataset', () =>
        makeDataset({ musicDir: MUSIC_DIR, outDir: datasetDir, seed: SEED, presetName: 'small', preset, knobs: PRESET_KNOBS.small, concurrency: 2, force: true }),
      );
    }
    if (!done(exportDir, 'manifest.json')) await timed('export', () => exportDataset({ datasetDir, outDir: exportDir, frameSize: 64, concurrency: 2 }));
    await timed('train', () =>
      Promise.all(
        (['full', 'cmmr'] as const)
          .filter((v) => !done(models[v], 'manifest.json'))
          .map((v) => train(exportDir, path.join(work, `run-${v}`), v, models[v])),
      ),
    );
    // What the data lets any model learn from the voice-over (printed for the CI log; see docs/DATASET.md).
    const probe = JSON.parse(await timed('probe', () => python(['training.mrcmv.signal_probe', '--features', exportDir, '--dataset', datasetDir, '--json']))) as {
      rows: Record<string, Record<string, number>>;
    };
    process.stderr.write(`benchmark e2e signal probe (seed ${SEED}): ${JSON.stringify(probe.rows)}\n`);
    expect(Object.keys(probe.rows).sort()).toEqual(['chance', 'oracle', 'rule', 'voice']);
    const manifest = readDatasetManifest(path.join(datasetDir, 'manifest.json'));
    expect(manifest.tracks).toHaveLength(TRACKS);
    expect(manifest.items).toHaveLength(VIDEOS);
    expect(readModelFolder(models.full).manifest.training).toMatchObject({ trained: true, variant: 'full' });
  }, 1_200_000);

  it('evaluates both exports through the serving code (OnnxEmbedder, same features)', async () => {
    const pool = new OnnxPool(2, { provider: 'cpu', threadsPerSession: 1 }, createLogger('silent'));
    try {
      report = await timed('evaluate', () =>
        evaluateModels({ datasetDir, models: [readModelFolder(models.full), readModelFolder(models.cmmr)], embedder: new OnnxEmbedder(pool, 8), candidates: 'all' }),
      );
    } finally {
      await pool.close();
    }
    const [full, cmmr] = report.models;
    process.stderr.write(
      `benchmark e2e (seed ${SEED}, ${report.queries} queries, ${report.candidates.length} tracks): ` +
        `full ${JSON.stringify(full!.recall)} median ${full!.medianRank}; cmmr ${JSON.stringify(cmmr!.recall)} median ${cmmr!.medianRank}; ` +
        `segments: full ${JSON.stringify(full!.segment.recall)} median ${full!.segment.medianRank}, ` +
        `cmmr ${JSON.stringify(cmmr!.segment.recall)} median ${cmmr!.segment.medianRank}\n`,
    );
    expect(report.candidates).toHaveLength(TRACKS);
    expect(full!.perQuery).toHaveLength(report.queries);
    // The voice-over carries the music; frames alone carry almost nothing (docs/DATASET.md).
    expect((full!.segment.recall['R@10'] ?? 0) - (cmmr!.segment.recall['R@10'] ?? 0)).toBeGreaterThanOrEqual(MIN_SEG_LEAD_R10);
    expect(full!.segment.medianRank).toBeLessThan(cmmr!.segment.medianRank);
    expect(full!.medianRank).toBeLessThanOrEqual(cmmr!.medianRank);
    if (REQUIRE_LEARNING) expect(recallAt(full!.perQuery.map((q) => q.rank), 3) - recallAt(cmmr!.perQuery.map((q) => q.rank), 3)).toBeGreaterThanOrEqual(MIN_LEAD_R3);
  }, 300_000);

  it('serves the trained MRCMV through the app: suggestBgm ranks as src/evaluation does', async () => {
    app = await env.start({ MODEL_DIR: models.full, RUN_JOBS: 'true', MAX_TRACK_SECONDS: '1200', INFERENCE_THREADS: '2', INFERENCE_INTRA_OP_THREADS: '1' });
    const manifest = readDatasetManifest(path.join(datasetDir, 'manifest.json'));
    const copy = (rel: string) => {
      fs.mkdirSync(path.dirname(path.join(env.mediaRoot, rel)), { recursive: true });
      fs.copyFileSync(path.join(datasetDir, rel), path.join(env.mediaRoot, rel));
      return rel;
    };
        const trackIds = await ingest(app, manifest.tracks.map((t) => ({ mediaUri: copy(t.file), title: t.trackId })));
    const tracks = await timed('ingest', () => settledTracks(app!, trackIds));
    expect(tracks.filter((t) => t.status !== 'READY').map((t) => [t.title, t.error])).toEqual([]);

    const token = await tokenFor(app, 'app');
    const test = manifest.items.filter((i) => i.split === 'test');
    const videoIds: string[] = [];
    for (const item of test) {
      const res = await gql(app, 'mutation($i: RegisterVideoInput!) { registerVideo(input: $i) { video { id } } }', {
        i: { mediaUri: copy(item.videoFile), voiceOverUri: copy(item.voiceOverFile) },
      }, token);
      expect(res.errors).toBeUndefined();
      videoIds.push(res.data!.registerVideo.video.id as string);
    }
    await timed('videos', () =>
      waitFor(async () => {
        const rows = await app!.db.prisma.video.findMany({ where: { id: { in: videoIds } } });
        return rows.every((r) => r.status === 'READY' || r.status === 'FAILED') ? rows : undefined;
      }, `${videoIds.length} videos to settle`, 240_000),
    );
    const ranks: number[] = [];
    let agree = 0;
    for (const [i, item] of test.entries()) {
      const video = await settledVideo(app, videoIds[i]!);
      expect([item.videoId, video.status, video.error]).toEqual([item.videoId, 'READY', null]);
      const res = await gql(app, `{ suggestBgm(videoId: "${videoIds[i]}", first: 10) { suggestions { rank track { title } } } }`, {}, token);
      expect(res.errors).toBeUndefined();
      const titles = (res.data!.suggestBgm.suggestions as { track: { title: string } }[]).map((s) => s.track.title);
      const at = titles.indexOf(item.trackId);
      ranks.push(at < 0 ? Infinity : at + 1);
      if (titles[0] === report.models[0]!.perQuery[i]!.top1) agree++;
    }
    const served = { 'R@1': recallAt(ranks, 1), 'R@3': recallAt(ranks, 3), 'R@10': recallAt(ranks, 10) };
    process.stderr.write(`benchmark e2e served (seed ${SEED}): ${JSON.stringify(served)}; top-1 agrees with src/evaluation on ${agree}/${test.length}\n`);
    // The evaluation code and the serving path rank the same way (same features, same best-window rule).
    expect(agree).toBeGreaterThanOrEqual(Math.ceil(0.9 * test.length));
    expect(new Set(ranks.filter(Number.isFinite)).size).toBeGreaterThan(1);
    // Chance with 14 tracks: R@3 = 21 %, R@10 = 71 %.
    expect(served['R@10']).toBeGreaterThan(50);
    if (REQUIRE_LEARNING) expect(served['R@3']).toBeGreaterThanOrEqual(MIN_SERVED_R3);
  }, 420_000);
});
