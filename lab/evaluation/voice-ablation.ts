import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/common/paths';
import { exportDataset } from '../dataset/export-dataset';
import { makeDataset } from '../dataset/make-dataset';
import { PRESET_KNOBS, PRESETS } from '../dataset/presets';
import type { Embedder } from '../../src/inference/embedder';
import { readModelFolder } from '../../src/inference/model-manifest';
import { evaluateModels, type EvaluationReport } from './evaluate';
import { comparePairedRanks, type PairedComparison } from './paired-comparison';

/**
 * The voice-over ablation on the small preset: per seed, generate the dataset, export
 * it, train MRCMV ("full") and the visual-only baseline ("cmmr") with the same budget and recipe,
 * and evaluate both through the serving code. Used by the end-to-end test and by
 * `npm run bench:voice-ablation`, which pools several seeds.
 */

/**
 * The small-data recipe (training/README.md). Both models get the same arguments; cmmr ignores
 * the voice-only ones.
 */
export const SMALL_DATA_RECIPE = [
  // The shipped default's recipe (training/mrcmv/train.py RECIPES), with the knobs 37 training
  // videos need: small batches, more clips per video, stronger weight decay, hidden video half the
  // time, and the last epoch kept (no held-back videos to select by).
  '--recipe',
  'steps',
  '--batch-size',
  '16',
  '--clips-per-video',
  '8',
  '--eval-every',
  '0',
  '--select-by',
  'last',
  '--weight-decay',
  '0.05',
  '--video-dropout',
  '0.5',
] as const;

export const ABLATION_VARIANTS = ['full', 'cmmr'] as const;
export type AblationVariant = (typeof ABLATION_VARIANTS)[number];

export interface AblationSeedOptions {
  musicDir: string;
  /** Folder for this seed's dataset, export, runs and models; what is already there is reused. */
  work: string;
  seed: number;
  epochs: number;
  /** Videos in the dataset (default: the small preset's). */
  videos?: number;
  licenseFrom?: string;
  /** Seconds per stage (dataset, export, train), for logs. */
  timings?: Record<string, number>;
}

export interface AblationSeed {
  seed: number;
  datasetDir: string;
  exportDir: string;
  models: Record<AblationVariant, string>;
}

/** Runs `/usr/bin/python3 -m MODULE ...args` from the project root; resolves with its stdout. */
export function runPythonModule(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-m', ...args], {
      cwd: projectRoot(),
      env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), (output += d.toString())));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`python -m ${args[0]} exited ${code}: ${output.slice(-2000)}`)),
    );
  });
}

/** Dataset, export and both trained models for one seed (the two trainings run side by side). */
export async function prepareAblationSeed(o: AblationSeedOptions): Promise<AblationSeed> {
  const datasetDir = path.join(o.work, 'dataset');
  const exportDir = path.join(o.work, 'export');
  const models = { full: path.join(o.work, 'model-full'), cmmr: path.join(o.work, 'model-cmmr') };
  const done = (dir: string) => fs.existsSync(path.join(dir, 'manifest.json'));
  const timed = async (what: string, fn: () => Promise<unknown>) => {
    const started = Date.now();
    await fn();
    if (o.timings) o.timings[what] = (Date.now() - started) / 1000;
  };
  const preset = { ...PRESETS.small, videos: o.videos ?? PRESETS.small.videos };
  if (!done(datasetDir)) {
    await timed('dataset', () =>
      makeDataset({
        musicDir: o.musicDir,
        outDir: datasetDir,
        seed: o.seed,
        presetName: 'small',
        preset,
        knobs: PRESET_KNOBS.small,
        licenseFrom: o.licenseFrom,
        concurrency: 2,
        force: true,
      }),
    );
  }
  if (!done(exportDir))
    await timed('export', () => exportDataset({ datasetDir, outDir: exportDir, frameSize: 64, concurrency: 2 }));
  await timed('train', () =>
    Promise.all(
      ABLATION_VARIANTS.filter((v) => !done(models[v])).map((v) =>
        runPythonModule([
          'training.mrcmv.train',
          '--dataset',
          exportDir,
          '--out',
          path.join(o.work, `run-${v}`),
          '--variant',
          v,
          '--epochs',
          String(o.epochs),
          '--seed',
          String(o.seed),
          ...SMALL_DATA_RECIPE,
          '--export',
          models[v],
          '--version',
          `ablation-${v}-seed${o.seed}`,
        ]),
      ),
    ),
  );
  return { seed: o.seed, datasetDir, exportDir, models };
}

/** Both models of a seed on its test split, every track a candidate (as suggestBgm ranks). */
export function evaluateAblationSeed(run: AblationSeed, embedder: Embedder): Promise<EvaluationReport> {
  return evaluateModels({
    datasetDir: run.datasetDir,
    models: ABLATION_VARIANTS.map((v) => readModelFolder(run.models[v])),
    embedder,
    candidates: 'all',
  });
}

export interface PooledAblation {
  seeds: number[];
  queries: number;
  /** MRCMV against cmmr over the test videos of all seeds (each seed's own catalog and segments). */
  catalog: PairedComparison;
  segment: PairedComparison;
}

/** Pools the per-video ranks of several seeds' reports (each [full, cmmr]) into one paired comparison. */
export function poolAblation(reports: readonly { seed: number; report: EvaluationReport }[]): PooledAblation {
  const ranks = (key: 'rank' | 'segmentRank', model: number) =>
    reports.flatMap(({ report }) => report.models[model]!.perQuery.map((q) => q[key]));
  return {
    seeds: reports.map((r) => r.seed),
    queries: reports.reduce((n, r) => n + r.report.queries, 0),
    catalog: comparePairedRanks(ranks('rank', 0), ranks('rank', 1)),
    segment: comparePairedRanks(ranks('segmentRank', 0), ranks('segmentRank', 1)),
  };
}
