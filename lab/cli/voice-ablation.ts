/**
 * npm run bench:voice-ablation [-- --seeds 3,4,5,6,7,8 --epochs 15 --work DIR --json]
 * The voice-over question over many seeds: does the model without the voice-over (cmmr) do worse than
 * MRCMV on the small preset? Per seed: dataset, export, both trainings (the end-to-end test's
 * recipe), evaluation through the serving code; then the per-video ranks of all seeds pooled into
 * paired tests (lab/evaluation/paired-comparison.ts). About 3 minutes per seed on 2 cores; with
 * --work, finished stages are reused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/common/logger';
import type { EvaluationReport } from '../evaluation/evaluate';
import { medianRank, recallAt } from '../evaluation/ranking-metrics';
import type { PairedComparison } from '../evaluation/paired-comparison';
import { evaluateAblationSeed, poolAblation, prepareAblationSeed } from '../evaluation/voice-ablation';
import { OnnxEmbedder } from '../../src/inference/embedder';
import { OnnxPool } from '../../src/inference/onnx-pool';
import { machine } from '../../bench/bench-utils';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3,4,5,6,7,8' },
    epochs: { type: 'string', default: '15' },
    music: { type: 'string', default: '/usr/share/games/wesnoth/1.16/data/core/music' },
    'license-from': { type: 'string', default: 'wesnoth-1.16-music' },
    work: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const seeds = values.seeds.split(',').map((s) => Number(s));
if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0 || s > 2 ** 31))
  throw new Error(`--seeds must be integers, got ${values.seeds}`);
const epochs = Number(values.epochs);
if (!Number.isInteger(epochs) || epochs < 1 || epochs > 200)
  throw new Error(`--epochs must be 1..200, got ${values.epochs}`);
const work = values.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-voice-ablation-'));

const pct = (x: number | undefined) => (x ?? Number.NaN).toFixed(1);
const p = (x: number) => (x < 0.001 ? x.toExponential(1) : x.toFixed(3));
const paired = (c: PairedComparison) => `${c.better}/${c.worse}/${c.ties} | ${p(c.signP)} | ${p(c.wilcoxonP)}`;

async function main() {
  const pool = new OnnxPool(2, { provider: 'cpu', threadsPerSession: 1 }, createLogger('warn'));
  const reports: { seed: number; report: EvaluationReport; seconds: Record<string, number> }[] = [];
  try {
    for (const seed of seeds) {
      const seconds: Record<string, number> = {};
      const run = await prepareAblationSeed({
        musicDir: values.music,
        work: path.join(work, `seed${seed}`),
        seed,
        epochs,
        licenseFrom: values['license-from'],
        timings: seconds,
      });
      const report = await evaluateAblationSeed(run, new OnnxEmbedder(pool, 8));
      reports.push({ seed, report, seconds });
      process.stderr.write(`seed ${seed}: ${JSON.stringify(seconds)} s\n`);
    }
  } finally {
    await pool.close();
  }
  const pooled = poolAblation(reports);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ machine: machine(), epochs, work, pooled, seeds: reports.map((r) => ({ seed: r.seed, seconds: r.seconds, paired: r.report.paired, models: r.report.models.map(({ perQuery: _perQuery, ...m }) => m) })) }, null, 2)}\n`,
    );
    return;
  }
  const lines = [
    `voice-over ablation, small preset, ${epochs} epochs, ${new Date().toISOString().slice(0, 10)}, ${machine()}`,
    "catalog: best 32 s window of every track (suggestBgm); seg: the test videos' own 32 s segments (paper). Paired: MRCMV better/worse/ties | one-sided sign p | Wilcoxon p",
    '| seed | videos | MRCMV R@5 / R@10 / median | cmmr R@5 / R@10 / median | MRCMV seg R@10 / median | cmmr seg R@10 / median | catalog b/w/t | sign p | Wilcoxon p | seg b/w/t | sign p | Wilcoxon p |',
    '|---:|---:|---|---|---|---|---|---:|---:|---|---:|---:|',
    ...reports.map(({ seed, report }) => {
      const [full, cmmr] = report.models;
      const cat = (m: typeof full) => `${pct(m!.recall['R@5'])} / ${pct(m!.recall['R@10'])} / ${m!.medianRank}`;
      const seg = (m: typeof full) => `${pct(m!.segment.recall['R@10'])} / ${m!.segment.medianRank}`;
      return `| ${seed} | ${report.queries} | ${cat(full)} | ${cat(cmmr)} | ${seg(full)} | ${seg(cmmr)} | ${paired(report.paired[0]!.catalog)} | ${paired(report.paired[0]!.segment)} |`;
    }),
    `pooled over seeds ${pooled.seeds.join(', ')} (${pooled.queries} test videos): ${['MRCMV', 'cmmr']
      .map((name, m) => {
        const ranks = (key: 'rank' | 'segmentRank') =>
          reports.flatMap((r) => r.report.models[m]!.perQuery.map((q) => q[key]));
        return `${name} catalog R@10 ${pct(recallAt(ranks('rank'), 10))} median ${medianRank(ranks('rank'))}, seg R@10 ${pct(recallAt(ranks('segmentRank'), 10))} median ${medianRank(ranks('segmentRank'))}`;
      })
      .join('; ')}`,
    `pooled paired: catalog ${paired(pooled.catalog)}; seg ${paired(pooled.segment)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
