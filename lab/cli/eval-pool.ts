/**
 * Pools `npm run eval -- --json --out FILE` reports of several held-out datasets (each evaluating
 * the same models; a model's training seeds are one arm, named by its version without "-seedN"):
 *   npm run eval:pool -- --report a.json --report b.json [--baseline ARM ...] [--json]
 * Prints recall with 95 % bootstrap intervals, hubness per seed (with the track behind the largest
 * share: how many videos it heads, is the truth of, and heads rightly), and one-sided paired tests
 * of every arm against each baseline (lab/evaluation/pool-reports.ts).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { EvaluationReport, LargestHub } from '../evaluation/evaluate';
import { poolReports, type Interval } from '../evaluation/pool-reports';

const ci = (i: Interval, digits = 1) =>
  `${i.value.toFixed(digits)} [${i.low.toFixed(digits)}, ${i.high.toFixed(digits)}]`;

const hubText = (h: LargestHub | null) => (h ? `${h.trackId} ${h.top1} / ${h.truth} / ${h.right}` : '-');

function main() {
  const { values } = parseArgs({
    options: {
      report: { type: 'string', multiple: true },
      baseline: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.report?.length) throw new Error('--report FILE is required (one per dataset)');
  const reports = values.report.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as EvaluationReport);
  const pooled = poolReports(reports, values.baseline ?? []);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(pooled, null, 2)}\n`);
    return;
  }
  const lines = [
    `${reports.length} datasets, ${pooled.arms[0]?.videos ?? 0} videos; chance ${JSON.stringify(
      Object.fromEntries(Object.entries(pooled.chance).map(([k, v]) => [k, Number(v.toFixed(1))])),
    )}`,
    '| arm | seeds | catalog R@1 | R@3 | R@10 | mean rank | segment R@3 | max top-1 share (per seed) | top-5 coverage |',
    '|---|---|---|---|---|---|---|---|---|',
    ...pooled.arms.map(
      (a) =>
        `| ${a.arm} | ${a.seeds} | ${ci(a.recall['R@1']!)} | ${ci(a.recall['R@3']!)} | ${ci(a.recall['R@10']!)} | ` +
        `${ci(a.meanRank, 2)} | ${ci(a.segmentRecall['R@3']!)} | ${a.maxTop1Share.map((h) => h.toFixed(2)).join(', ')} | ` +
        `${a.top5Coverage.map((c) => c.toFixed(2)).join(', ')} |`,
    ),
    '',
    '| arm | largest hub per seed: track, videos it heads / is the truth of / heads rightly |',
    '|---|---|',
    ...pooled.arms.map((a) => `| ${a.arm} | ${a.largestHub.map(hubText).join('; ')} |`),
    '',
    '| arm | baseline | catalog better/worse/ties | sign p | Wilcoxon p | segment better/worse | segment Wilcoxon p |',
    '|---|---|---|---|---|---|---|',
    ...pooled.comparisons.map(
      (c) =>
        `| ${c.arm} | ${c.baseline} | ${c.catalog.better}/${c.catalog.worse}/${c.catalog.ties} | ${c.catalog.signP.toExponential(2)} | ` +
        `${c.catalog.wilcoxonP.toExponential(2)} | ${c.segment.better}/${c.segment.worse} | ${c.segment.wilcoxonP.toExponential(2)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
