/**
 * Builds a music catalog folder from the free music in installed Debian packages (docs/DATASET.md,
 * "Music catalog"). Usage:
 *   npm run catalog:make -- --out DIR [--package NAME ...] [--exclude NAME ...] [--concurrency N]
 * Without --package, every package of DEBIAN_MUSIC_PACKAGES; --exclude leaves some out (e.g. the
 * held-out package). Then: npm run dataset:make -- --music DIR --license-map DIR/licenses.json ...
 */
import { parseArgs } from 'node:util';
import { buildCatalog } from '../catalog/build-catalog';
import { DEBIAN_MUSIC_PACKAGES } from '../catalog/debian-sources';
import { intFlag } from './cli-flags';

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      package: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
    },
  });
  if (!values.out) throw new Error('--out DIR is required');
  const known = new Set<string>(DEBIAN_MUSIC_PACKAGES);
  for (const p of [...(values.package ?? []), ...(values.exclude ?? [])]) {
    if (!known.has(p)) throw new Error(`unknown package ${p}; known: ${[...known].join(', ')}`);
  }
  const excluded = new Set(values.exclude ?? []);
  const packages = (values.package ?? [...DEBIAN_MUSIC_PACKAGES]).filter((p) => !excluded.has(p));
  if (packages.length === 0) throw new Error('no package left to read');
  const started = Date.now();
  const report = await buildCatalog({
    outDir: values.out,
    packages,
    concurrency: intFlag('concurrency', values.concurrency, 1, 16, 2),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const perPackage = packages.map((p) => {
    const tracks = report.tracks.filter((t) => t.packageName === p);
    const minutes = tracks.reduce((s, t) => s + t.durationSec, 0) / 60;
    return `${p}: ${tracks.length} tracks, ${minutes.toFixed(0)} min`;
  });
  process.stdout.write(
    `${perPackage.join('\n')}\n${report.tracks.length} tracks, ${(report.totalSeconds / 3600).toFixed(2)} h, ` +
      `${report.skipped.length} skipped, sox decoded ${report.tracks.filter((t) => t.decoder === 'sox').length}, ` +
      `in ${((Date.now() - started) / 1000).toFixed(0)} s: ${values.out}/catalog.json\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
