import { modelLabel, type EvaluationReport } from './evaluate';
import type { PairedComparison } from './paired-comparison';
import { RECALL_KS } from './ranking-metrics';

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/** Table 1 of the paper, as text: one row per model plus the chance row. */
export function formatTable(report: EvaluationReport): string {
  const header = [
    'model',
    ...RECALL_KS.map((k) => `R@${k}`),
    'median rank',
    'log-mel dist.',
    ...RECALL_KS.map((k) => `seg R@${k}`),
    'seg median',
    'max top-1 share',
    'top-5 coverage',
  ];
  const rows = report.models.map((m) => [
    modelLabel(m),
    ...RECALL_KS.map((k) => fmt(m.recall[`R@${k}`] ?? Number.NaN)),
    fmt(m.medianRank),
    fmt(m.logMelDistance, 2),
    ...RECALL_KS.map((k) => fmt(m.segment.recall[`R@${k}`] ?? Number.NaN)),
    fmt(m.segment.medianRank),
    fmt(m.hubness.maxTop1Share, 2),
    fmt(m.hubness.top5Coverage, 2),
  ]);
  rows.push([
    'chance (tracks)',
    ...RECALL_KS.map((k) => fmt(report.chance.recall[`R@${k}`] ?? Number.NaN)),
    fmt(report.chance.medianRank),
    fmt(report.chance.logMelDistance, 2),
    ...RECALL_KS.map(() => ''),
    '',
    '1.00',
    '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    `${report.queries} ${report.split} queries, ${report.candidates.length} candidate tracks (${report.candidateSet === 'split' ? `tracks of the ${report.split} split` : 'all tracks'}), ${fmt(report.seconds)} s`,
    `protocol: ${report.protocol}`,
    `log-mel dist.: ${report.distanceSpace}; mean over queries of d(top-1, ground truth), 0 when right`,
    `max top-1 share: queries of the most frequent top-1 track over the fair share (1 = even); top-5 coverage: share of the catalog in someone's top 5`,
    `seg: secondary protocol (paper, training/mrcmv/evaluate.py): the ${report.queries} queries' own 32 s music segments as candidates, same-track segments not counted against`,
    line(header),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
    ...report.paired.map(
      (p) => `paired, ${p.model} vs ${p.baseline}: catalog ${formatPaired(p.catalog)}; seg ${formatPaired(p.segment)}`,
    ),
  ].join('\n');
}

/** "better 12 / worse 8 / ties 3, one-sided sign p 0.25, Wilcoxon p 0.19" */
function formatPaired(c: PairedComparison): string {
  const p = (x: number) => (x < 0.001 ? x.toExponential(1) : x.toFixed(3));
  return `better ${c.better} / worse ${c.worse} / ties ${c.ties}, one-sided sign p ${p(c.signP)}, Wilcoxon p ${p(c.wilcoxonP)}`;
}
