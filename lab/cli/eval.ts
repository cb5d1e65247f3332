/**
 * Table-1-style evaluation of exported model folders on a dataset made by dataset:make, through
 * the serving code (lab/evaluation). Usage:
 *   npm run eval -- --model DIR [--model DIR ...] --dataset DIR [--split test|train|all]
 *     [--candidates split|all] [--json] [--out FILE] [--concurrency N] [--threads N] [--limit N]
 *     [--reference-beta B ...] [--query-bank] [--balance-temperature T ...] [--balance-mode even|lower]
 *     [--centre-only] [--typicality-lambda L ...]
 *     [--learned-hop S ...]
 * Several --model flags share one decoding pass over the dataset (one table row each). Each
 * --reference-beta adds a row per model that ships reference queries, ranked with that sharpness
 * of the hubness reduction (src/inference/track-scaling.ts), version `<version>-b<B>[-seedN]`.
 * --query-bank adds rows standardised against the evaluated videos' own queries instead of the
 * shipped references (leave-one-out; a simulation of a bank of the platform's recent queries),
 * version `<version>-qbank-b<B>[-seedN]`. Each --balance-temperature adds a row per model with
 * reference queries (and per swept beta) whose tracks get exposure-balance offsets over the
 * evaluated catalog (lab/evaluation/catalog-balance.ts), version `<version>[-b<B>]-bal<T>[-seedN]`;
 * with --balance-mode lower only the offsets that lower a track are applied, tag `low<T>`.
 * --centre-only adds a row per model with reference queries (and per swept beta) ranked by score
 * minus the track's centre, without dividing by its spread, version `<version>[-b<B>]-centre[-seedN]`.
 * Each --typicality-lambda L adds a row per model with reference queries and a timing head (and per
 * swept beta) whose tracks' scores are moved by -L x their standardised catalog typicality
 * (src/inference/catalog-typicality.ts), version `<version>[-b<B>]-typ<L>[-seedN]`.
 * Each --learned-hop S adds a row per model with a timing head, ranked with each window's learned
 * part taken from the window at spacing S and its timing envelope kept per window (a simulation of
 * cheaper window storage, lab/evaluation/coarse-learned.ts), version `<version>-learned<S>[-seedN]`.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/common/logger';
import {
  evaluateModels,
  learnedVersion,
  type BalanceMode,
  type CandidateSet,
  type SplitName,
} from '../evaluation/evaluate';
import { timingBins } from '../evaluation/coarse-learned';
import { formatTable } from '../evaluation/report';
import { OnnxEmbedder } from '../../src/inference/embedder';
import { readModelFolder } from '../../src/inference/model-manifest';
import { OnnxPool } from '../../src/inference/onnx-pool';
import { floatFlag, intFlag } from './cli-flags';
import { MAX_SOFTMAX_BETA } from '../../src/inference/track-scaling';

async function main() {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', multiple: true },
      dataset: { type: 'string' },
      split: { type: 'string', default: 'test' },
      candidates: { type: 'string', default: 'split' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      concurrency: { type: 'string' },
      threads: { type: 'string' },
      limit: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'reference-beta': { type: 'string', multiple: true },
      'query-bank': { type: 'boolean', default: false },
      'balance-temperature': { type: 'string', multiple: true },
      'balance-mode': { type: 'string', default: 'even' },
      'centre-only': { type: 'boolean', default: false },
      'typicality-lambda': { type: 'string', multiple: true },
      'learned-hop': { type: 'string', multiple: true },
    },
  });
  if (!values.model?.length || !values.dataset) throw new Error('--model DIR and --dataset DIR are required');
  if (!['test', 'train', 'all'].includes(values.split))
    throw new Error(`--split must be test, train or all, got ${values.split}`);
  if (!['split', 'all'].includes(values.candidates))
    throw new Error(`--candidates must be split or all, got ${values.candidates}`);
  if (!['even', 'lower'].includes(values['balance-mode']))
    throw new Error(`--balance-mode must be even or lower, got ${values['balance-mode']}`);
  const read = values.model.map((dir) => readModelFolder(dir));
  // Each --learned-hop adds every timed model again, ranked with its learned part at that spacing.
  const learned = (values['learned-hop'] ?? []).flatMap((raw) => {
    const hop = floatFlag('learned-hop', raw, 0.01, 600);
    return read
      .filter((m) => timingBins(m.manifest.training) !== undefined)
      .map((m) => ({
        folder: { ...m, manifest: { ...m.manifest, version: learnedVersion(m.manifest.version, hop) } },
        hop,
      }));
  });
  const models = [...read, ...learned.map((l) => l.folder)];
  const threads = intFlag('threads', values.threads, 1, 64, 1);
  const pool = new OnnxPool(
    intFlag('concurrency', values.concurrency, 1, 16, 2),
    { provider: 'cpu', threadsPerSession: threads },
    createLogger('warn'),
  );
  const log = values.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  try {
    const report = await evaluateModels({
      datasetDir: values.dataset,
      models,
      embedder: new OnnxEmbedder(pool, 8),
      split: values.split as SplitName,
      candidates: values.candidates as CandidateSet,
      concurrency: intFlag('concurrency', values.concurrency, 1, 16, 2),
      limit: values.limit === undefined ? undefined : intFlag('limit', values.limit, 1, 1_000_000),
      referenceBetas: values['reference-beta']?.map((b) => floatFlag('reference-beta', b, 0, MAX_SOFTMAX_BETA)),
      queryBank: values['query-bank'],
      balanceMode: values['balance-mode'] as BalanceMode,
      centreOnly: values['centre-only'],
      typicalityLambdas: values['typicality-lambda']?.map((l) => floatFlag('typicality-lambda', l, -10, 10)),
      balanceTemperatures: values['balance-temperature']?.map((t) => floatFlag('balance-temperature', t, 0.001, 100)),
      learnedHopSeconds: [...read.map(() => undefined), ...learned.map((m) => m.hop)],
      log,
    });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (values.out) fs.writeFileSync(values.out, json);
    process.stdout.write(values.json ? json : `${formatTable(report)}\n`);
  } finally {
    await pool.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
