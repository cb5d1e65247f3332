import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app/start-app';
import { createLogger } from '../../src/common/logger';
import { readDatasetManifest } from '../../lab/dataset/dataset-manifest';
import { PRESETS } from '../../lab/dataset/presets';
import type { EvaluationReport } from '../../lab/evaluation/evaluate';
import { medianRank, recallAt } from '../../lab/evaluation/ranking-metrics';
import {
  evaluateAblationSeed,
  poolAblation,
  prepareAblationSeed,
  runPythonModule,
  type AblationSeed,
} from '../../lab/evaluation/voice-ablation';
import { OnnxEmbedder } from '../../src/inference/embedder';
import { readModelFolder } from '../../src/inference/model-manifest';
import { OnnxPool } from '../../src/inference/onnx-pool';
import { gql, grantUploads, TestEnv, tokenFor } from './harness';
import { ingest, settledTracks, settledVideo, waitFor } from './pipeline-helpers';

/**
 * The voice-over ablation, end to end, on two seeds of the small preset (60 videos over 14 tracks each, its
 * audible voice delivery: lab/dataset/presets.ts PRESET_KNOBS): per seed, generate, export, train
 * a tiny MRCMV and the visual-only baseline (cmmr) with the same budget and recipe
 * (lab/evaluation/voice-ablation.ts), evaluate both through the serving code; then serve the first
 * seed's MRCMV through the app (ingest the tracks, register the test videos with their
 * voice-overs, wait for READY, ask suggestBgm) and compare.
 *
 * With 14 tracks chance is R@1 = 7 %, R@3 = 21 %, R@10 = 71 %.
 *
 * What is asserted, and why (docs/RESULTS.md, "End-to-end test"):
 * - the whole pipeline runs (dataset, export, probe, trainings, ONNX export, ingestion, READY
 *   videos, suggestBgm over every track); suggestBgm ranks like lab/evaluation (same top-1 for
 *   >= 90 % of the videos), so the offline figures are the served ones; served R@10 > 50 %.
 * - the model without the voice-over does clearly worse. One seed has 23 test videos, too few for
 *   recall gaps of 10-20 points to mean much, so the test videos of both seeds (46) are pooled
 *   and compared per video (paired tests, lab/evaluation/paired-comparison.ts): on the paper's
 *   protocol (each test video's own 32 s music segment among its seed's test segments) MRCMV
 *   ranks the truth better with one-sided Wilcoxon p < BENCH_E2E_MAX_SEG_P (0.01), leads in R@10
 *   by >= BENCH_E2E_MIN_SEG_LEAD (15) points and has the lower median in every seed; on the
 *   catalog ranking (best window of 14 tracks, as served) it is better on more videos than worse
 *   and its pooled median rank is not worse. `npm run bench:voice-ablation` runs the same over six
 *   seeds (docs/BENCHMARKS.md), where the catalog difference is significant too.
 * - only with BENCH_E2E_REQUIRE_LEARNING=1: served R@3 >= BENCH_E2E_MIN_R3 (default 50) and a
 *   lead over cmmr in catalog R@3 >= BENCH_E2E_MIN_LEAD (default 20 points), which 37 training
 *   videos do not reach (docs/DATASET.md, "How much the voice-over can tell").
 *
 * Budget: 15 epochs (BENCH_E2E_EPOCHS) of the shipped default's recipe with the small-data knobs
 * (lab/evaluation/voice-ablation.ts SMALL_DATA_RECIPE).
 */

const MUSIC_DIR = '/usr/share/games/wesnoth/1.16/data/core/music';
const LICENSE_FROM = 'wesnoth-1.16-music';
const SEEDS = (process.env.BENCH_E2E_SEEDS ?? '3,4').split(',').map(Number);
const TRACKS = PRESETS.small.tracks;
const VIDEOS = Number(process.env.BENCH_E2E_VIDEOS ?? PRESETS.small.videos);
const EPOCHS = Number(process.env.BENCH_E2E_EPOCHS ?? 15);
const REQUIRE_LEARNING = process.env.BENCH_E2E_REQUIRE_LEARNING === '1';
/** Thresholds for REQUIRE_LEARNING: served MRCMV R@3 and its lead over cmmr in R@3. */
const MIN_SERVED_R3 = Number(process.env.BENCH_E2E_MIN_R3 ?? 50);
const MIN_LEAD_R3 = Number(process.env.BENCH_E2E_MIN_LEAD ?? 20);
/** Always asserted, over the pooled test videos: MRCMV's lead in segment R@10, and the paired test's p. */
const MIN_SEG_LEAD_R10 = Number(process.env.BENCH_E2E_MIN_SEG_LEAD ?? 15);
const MAX_SEG_P = Number(process.env.BENCH_E2E_MAX_SEG_P ?? 0.01);

const haveMusic = fs.existsSync(MUSIC_DIR);
// CI installs wesnoth-1.16-music: there a missing folder is a failure, not a skip.
const suite = haveMusic || process.env.CI ? describe : describe.skip;
if (!haveMusic) process.stderr.write(`benchmark e2e: ${MUSIC_DIR} missing (apt-get install wesnoth-1.16-music)\n`);

suite('[embedded] benchmark end to end', () => {
  // BENCH_E2E_WORK keeps the datasets, exports and models there (and reuses them when present).
  const keep = process.env.BENCH_E2E_WORK;
  const work = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-e2e-'));
  const runs: AblationSeed[] = [];
  const env = new TestEnv('embedded');
  let app: App | undefined;
  const reports: { seed: number; report: EvaluationReport }[] = [];
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
    for (const seed of SEEDS) {
      const seconds: Record<string, number> = {};
      runs.push(
        await prepareAblationSeed({
          musicDir: MUSIC_DIR,
          work: path.join(work, `seed${seed}`),
          seed,
          epochs: EPOCHS,
          videos: VIDEOS,
          licenseFrom: LICENSE_FROM,
          timings: seconds,
        }),
      );
      for (const [stage, s] of Object.entries(seconds)) timings[`${stage}-seed${seed}`] = s;
    }
    const first = runs[0]!;
    // What the data lets any model learn from the voice-over (printed for the CI log; see docs/DATASET.md).
    const probe = JSON.parse(
      await timed('probe', () =>
        runPythonModule([
          'training.mrcmv.signal_probe',
          '--features',
          first.exportDir,
          '--dataset',
          first.datasetDir,
          '--json',
        ]),
      ),
    ) as {
      rows: Record<string, Record<string, number>>;
    };
    process.stderr.write(`benchmark e2e signal probe (seed ${first.seed}): ${JSON.stringify(probe.rows)}\n`);
    expect(Object.keys(probe.rows).sort()).toEqual([
      'chance',
      'oracle',
      'rule',
      'timing',
      'timing-lines',
      'timing-rms',
      'timing-rms-lines',
      'voice',
    ]);
    for (const run of runs) {
      const manifest = readDatasetManifest(path.join(run.datasetDir, 'manifest.json'));
      expect(manifest.tracks).toHaveLength(TRACKS);
      expect(manifest.items).toHaveLength(VIDEOS);
      expect(readModelFolder(run.models.full).manifest.training).toMatchObject({
        trained: true,
        variant: 'full',
        seed: run.seed,
      });
      expect(readModelFolder(run.models.cmmr).manifest.training).toMatchObject({
        trained: true,
        variant: 'cmmr',
        seed: run.seed,
      });
    }
  }, 1_800_000);

  it('evaluates both exports through the serving code; the model without the voice-over does clearly worse', async () => {
    const pool = new OnnxPool(2, { provider: 'cpu', threadsPerSession: 1 }, createLogger('silent'));
    try {
      for (const run of runs)
        reports.push({
          seed: run.seed,
          report: await timed(`evaluate-seed${run.seed}`, () => evaluateAblationSeed(run, new OnnxEmbedder(pool, 8))),
        });
    } finally {
      await pool.close();
    }
    for (const { seed, report } of reports) {
      const [full, cmmr] = report.models;
      process.stderr.write(
        `benchmark e2e (seed ${seed}, ${report.queries} queries, ${report.candidates.length} tracks): ` +
          `full ${JSON.stringify(full!.recall)} median ${full!.medianRank}; cmmr ${JSON.stringify(cmmr!.recall)} median ${cmmr!.medianRank}; ` +
          `segments: full ${JSON.stringify(full!.segment.recall)} median ${full!.segment.medianRank}, ` +
          `cmmr ${JSON.stringify(cmmr!.segment.recall)} median ${cmmr!.segment.medianRank}\n`,
      );
      expect(report.candidates).toHaveLength(TRACKS);
      expect(full!.perQuery).toHaveLength(report.queries);
      expect(full!.segment.medianRank).toBeLessThan(cmmr!.segment.medianRank);
    }
    const pooled = poolAblation(reports);
    const ranks = (model: number, key: 'rank' | 'segmentRank') =>
      reports.flatMap((r) => r.report.models[model]!.perQuery.map((q) => q[key]));
    process.stderr.write(
      `benchmark e2e pooled (seeds ${pooled.seeds.join(',')}, ${pooled.queries} videos): ${JSON.stringify({ catalog: pooled.catalog, segment: pooled.segment })}\n`,
    );
    // The voice-over carries the music; frames alone carry almost nothing (docs/DATASET.md).
    expect(pooled.segment.wilcoxonP).toBeLessThan(MAX_SEG_P);
    expect(recallAt(ranks(0, 'segmentRank'), 10) - recallAt(ranks(1, 'segmentRank'), 10)).toBeGreaterThanOrEqual(
      MIN_SEG_LEAD_R10,
    );
    expect(pooled.catalog.better).toBeGreaterThan(pooled.catalog.worse);
    expect(medianRank(ranks(0, 'rank'))).toBeLessThanOrEqual(medianRank(ranks(1, 'rank')));
    if (REQUIRE_LEARNING)
      expect(recallAt(ranks(0, 'rank'), 3) - recallAt(ranks(1, 'rank'), 3)).toBeGreaterThanOrEqual(MIN_LEAD_R3);
  }, 600_000);

  it('serves the trained MRCMV through the app: suggestBgm ranks as lab/evaluation does', async () => {
    const { seed, datasetDir, models } = runs[0]!;
    const report = reports[0]!.report;
    app = await env.start({
      MODEL_DIR: models.full,
      RUN_JOBS: 'true',
      MAX_TRACK_SECONDS: '1200',
      INFERENCE_THREADS: '2',
      INFERENCE_INTRA_OP_THREADS: '1',
    });
    const manifest = readDatasetManifest(path.join(datasetDir, 'manifest.json'));
    const copy = (rel: string) => {
      fs.mkdirSync(path.dirname(path.join(env.mediaRoot, rel)), { recursive: true });
      fs.copyFileSync(path.join(datasetDir, rel), path.join(env.mediaRoot, rel));
      return rel;
    };
    const trackIds = await ingest(
      app,
      manifest.tracks.map((t) => ({ mediaUri: copy(t.file), title: t.trackId })),
    );
    const tracks = await timed('ingest', () => settledTracks(app!, trackIds));
    expect(tracks.filter((t) => t.status !== 'READY').map((t) => [t.title, t.error])).toEqual([]);

    const token = await tokenFor(app, 'app');
    const test = manifest.items.filter((i) => i.split === 'test');
    const videoIds: string[] = [];
    for (const item of test) {
      const i = { mediaUri: copy(item.videoFile), voiceOverUri: copy(item.voiceOverFile) };
      await grantUploads(app, 'app-user', i.mediaUri, i.voiceOverUri);
      const res = await gql(
        app,
        'mutation($i: RegisterVideoInput!) { registerVideo(input: $i) { video { id } } }',
        { i },
        token,
      );
      expect(res.errors).toBeUndefined();
      videoIds.push(res.data!.registerVideo.video.id as string);
    }
    await timed('videos', () =>
      waitFor(
        async () => {
          const rows = await app!.db.prisma.video.findMany({ where: { id: { in: videoIds } } });
          return rows.every((r) => r.status === 'READY' || r.status === 'FAILED') ? rows : undefined;
        },
        `${videoIds.length} videos to settle`,
        240_000,
      ),
    );
    const ranks: number[] = [];
    let agree = 0;
    for (const [i, item] of test.entries()) {
      const video = await settledVideo(app, videoIds[i]!);
      expect([item.videoId, video.status, video.error]).toEqual([item.videoId, 'READY', null]);
      const res = await gql(
        app,
        `{ suggestBgm(videoId: "${videoIds[i]}", first: 10) { suggestions { rank track { title } } } }`,
        {},
        token,
      );
      expect(res.errors).toBeUndefined();
      const titles = (res.data!.suggestBgm.suggestions as { track: { title: string } }[]).map((s) => s.track.title);
      const at = titles.indexOf(item.trackId);
      ranks.push(at < 0 ? Infinity : at + 1);
      if (titles[0] === report.models[0]!.perQuery[i]!.top1) agree++;
    }
    const served = { 'R@1': recallAt(ranks, 1), 'R@3': recallAt(ranks, 3), 'R@10': recallAt(ranks, 10) };
    process.stderr.write(
      `benchmark e2e served (seed ${seed}): ${JSON.stringify(served)}; top-1 agrees with lab/evaluation on ${agree}/${test.length}\n`,
    );
    // The evaluation code and the serving path rank the same way (same features, same best-window rule).
    expect(agree).toBeGreaterThanOrEqual(Math.ceil(0.9 * test.length));
    expect(new Set(ranks.filter(Number.isFinite)).size).toBeGreaterThan(1);
    // Chance with 14 tracks: R@3 = 21 %, R@10 = 71 %.
    expect(served['R@10']).toBeGreaterThan(50);
    if (REQUIRE_LEARNING) expect(served['R@3']).toBeGreaterThanOrEqual(MIN_SERVED_R3);
  }, 420_000);
});
