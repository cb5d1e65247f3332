/**
 * Writes a copy of a model folder whose reference queries are every video of the given datasets'
 * split, embedded through the serving path (lab/evaluation/reference-bank.ts). Usage:
 *   npm run reference-bank -- --model DIR --dataset DIR [--dataset DIR ...] --out DIR --version V
 *     [--split train|test|all] [--concurrency N]
 * The datasets should be the ones the model trained on (dataset:make output; the default split is
 * train): reference queries stand for the videos the model knows, not for the music it is tested on.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/common/logger';
import { OnnxEmbedder } from '../../src/inference/embedder';
import { MODEL_VERSION, readModelFolder } from '../../src/inference/model-manifest';
import { OnnxPool } from '../../src/inference/onnx-pool';
import type { SplitName } from '../evaluation/evaluate';
import { embedReferenceBank, writeBankFolder } from '../evaluation/reference-bank';
import { intFlag } from './cli-flags';

async function main() {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      dataset: { type: 'string', multiple: true },
      out: { type: 'string' },
      version: { type: 'string' },
      split: { type: 'string', default: 'train' },
      concurrency: { type: 'string' },
    },
  });
  if (!values.model || !values.dataset?.length || !values.out || !values.version)
    throw new Error('--model DIR, --dataset DIR, --out DIR and --version V are required');
  // Checked here too (writeBankFolder checks the whole manifest), so a bad version fails before the
  // minutes of embedding rather than after.
  if (!MODEL_VERSION.test(values.version))
    throw new Error(`--version must match ${MODEL_VERSION.source}, got ${values.version}`);
  if (!['test', 'train', 'all'].includes(values.split))
    throw new Error(`--split must be test, train or all, got ${values.split}`);
  const concurrency = intFlag('concurrency', values.concurrency, 1, 16, 2);
  const model = readModelFolder(values.model);
  const pool = new OnnxPool(concurrency, { provider: 'cpu', threadsPerSession: 1 }, createLogger('warn'));
  try {
    const started = Date.now();
    const bank = await embedReferenceBank({
      model,
      datasetDirs: values.dataset,
      split: values.split as SplitName,
      embedder: new OnnxEmbedder(pool, 8),
      concurrency,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    writeBankFolder(model, values.out, bank, values.version, {
      datasets: values.dataset,
      split: values.split as SplitName,
    });
    process.stdout.write(
      `${bank.length} reference queries in ${((Date.now() - started) / 1000).toFixed(1)} s written to ${values.out}\n`,
    );
  } finally {
    await pool.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
