import fs from 'node:fs';
import path from 'node:path';
import { readDatasetManifest, type ManifestItem } from '../dataset/dataset-manifest';
import { mapPool } from '../dataset/worker-pool';
import type { Embedder } from '../../src/inference/embedder';
import { parseManifest, sha256OfFile, type ModelFolder, type ModelManifest } from '../../src/inference/model-manifest';
import { selectItems, type SplitName } from './evaluate';
import { queryFeatures } from './serving-inputs';

/**
 * A model folder's reference queries (src/inference/track-scaling.ts) recomputed through the
 * serving path: every video of the given datasets' split, embedded by the folder's own query graph
 * exactly as a served video is (queryFeatures + embedQuery), instead of the sample training drew.
 *
 * Why: each track's centre and spread are statistics over the reference queries, so their number
 * sets how noisy the hubness reduction is; a training run ships a sample (256 by default) and the
 * learned weights are all that is needed to embed the rest.
 */

export const DEFAULT_REFERENCE_FILE = 'reference-queries.f32';

/** Each video once (a dataset may pair one video with several items), in manifest order. */
export function uniqueVideos(items: readonly ManifestItem[]): ManifestItem[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.videoId) && seen.add(i.videoId));
}

export interface ReferenceBankOptions {
  model: ModelFolder;
  datasetDirs: readonly string[];
  split: SplitName;
  embedder: Embedder;
  concurrency?: number;
  log?: (line: string) => void;
}

/** The query embedding of each video of the datasets' split, in dataset then manifest order. */
export async function embedReferenceBank(o: ReferenceBankOptions): Promise<number[][]> {
  const videos = o.datasetDirs.flatMap((dir) =>
    uniqueVideos(selectItems(readDatasetManifest(path.join(dir, 'manifest.json')).items, o.split)).map((item) => ({
      dir,
      item,
    })),
  );
  if (videos.length < 2)
    throw new Error(`a reference bank needs at least 2 videos; the ${o.split} split has ${videos.length}`);
  const { width, height } = o.model.manifest.video;
  let done = 0;
  return mapPool(videos, o.concurrency ?? 2, async ({ dir, item }) => {
    const clip = await queryFeatures(path.join(dir, item.videoFile), path.join(dir, item.voiceOverFile), {
      width,
      height,
    });
    const embedding = await o.embedder.embedQuery(o.model, clip);
    if (++done % 50 === 0 || done === videos.length) o.log?.(`reference [${done}/${videos.length}]`);
    return embedding;
  });
}

export interface BankProvenance {
  datasets: readonly string[];
  split: SplitName;
}

/**
 * A copy of `source` whose reference queries are `bank`: the networks, the other files and every
 * other manifest field are the source's, the version is `version`, and the hashes are recomputed.
 * The manifest is checked against the schema serving reads before anything is written.
 */
export function writeBankFolder(
  source: ModelFolder,
  outDir: string,
  bank: readonly (readonly number[])[],
  version: string,
  provenance: BankProvenance,
): ModelManifest {
  const dim = source.manifest.embeddingDim;
  if (bank.some((row) => row.length !== dim)) throw new Error(`every reference query must have ${dim} numbers`);
  if (path.resolve(outDir) === path.resolve(source.dir)) throw new Error('the bank folder must not be its source');
  const files = {
    ...source.manifest.files,
    referenceQueries: source.manifest.files.referenceQueries ?? DEFAULT_REFERENCE_FILE,
  };
  // The source's measured figures were taken with its own references: they are not copied.
  const { metrics: _measured, ...kept } = source.manifest;
  const manifest = parseManifest(
    {
      ...kept,
      version,
      files,
      referenceQueryCount: bank.length,
      training: {
        ...source.manifest.training,
        referenceBank: {
          from: source.manifest.version,
          count: bank.length,
          split: provenance.split,
          datasets: provenance.datasets.map((d) => path.resolve(d)),
          path: 'serving (lab/evaluation/reference-bank.ts)',
        },
      },
    },
    `bank folder ${outDir}`,
  );
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of [files.query, files.bgm]) fs.copyFileSync(path.join(source.dir, name), path.join(outDir, name));
  const data = Float32Array.from(bank.flat());
  // Little-endian, as readModelFolder reads it (Float32Array is host order; every supported host is LE).
  fs.writeFileSync(path.join(outDir, files.referenceQueries), Buffer.from(data.buffer));
  const names = [files.query, files.bgm, files.referenceQueries];
  manifest.sha256 = Object.fromEntries(names.map((n) => [n, sha256OfFile(path.join(outDir, n))]));
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
