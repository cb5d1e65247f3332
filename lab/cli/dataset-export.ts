/**
 * Writes the training directory (training/README.md, "Dataset directory") for a dataset made by
 * dataset:make. Usage: npm run dataset:export -- --dataset DIR --out DIR [--frame-size 64] [--concurrency 2]
 *   [--music-cache DIR] (music features shared between exports, keyed by the audio file's hash)
 */
import { parseArgs } from 'node:util';
import { exportDataset } from '../dataset/export-dataset';
import { intFlag } from './cli-flags';

async function main() {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string' },
      out: { type: 'string' },
      'frame-size': { type: 'string', default: '64' },
      concurrency: { type: 'string', default: '2' },
      'music-cache': { type: 'string' },
    },
  });
  if (!values.dataset || !values.out) throw new Error('--dataset DIR and --out DIR are required');
  const started = process.hrtime.bigint();
  const result = await exportDataset({
    datasetDir: values.dataset,
    outDir: values.out,
    frameSize: intFlag('frame-size', values['frame-size'], 16, 512),
    concurrency: intFlag('concurrency', values.concurrency, 1, 16),
    musicCacheDir: values['music-cache'],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${result.items} items and ${result.tracks} tracks exported in ${seconds.toFixed(1)} s to ${values.out}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
