import fs from 'node:fs';
import { z } from 'zod';

/** manifest.json of a generated dataset (docs/DATASET.md). */
export const DATASET_FORMAT = 'bgm-synth-dataset/1';

const num = z.number().finite();

const trackSchema = z.object({
  trackId: z.string().regex(/^[a-z0-9-]{1,64}$/),
  file: z.string().min(1),
  sourceFile: z.string(),
  title: z.string(),
  artist: z.string(),
  licensor: z.string().min(1),
  license: z.string().min(1),
  licenseUrl: z.string().nullable(),
  attribution: z.string().min(1),
  licenseSource: z.string(),
  durationSec: num.positive(),
  properties: z.object({
    tempoBpm: num,
    meanEnergyDb: num,
    meanCentroidHz: num,
    energyDb: z.array(num),
    centroidHz: z.array(num),
  }),
});

const itemSchema = z
  .object({
    videoId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    trackId: z.string(),
    split: z.enum(['train', 'test']),
    durationSec: num.positive(),
    musicOffsetSec: num.min(0),
    videoFile: z.string().min(1),
    voiceOverFile: z.string().min(1),
  })
  .loose();

export const datasetManifestSchema = z
  .object({
    format: z.literal(DATASET_FORMAT),
    tracks: z.array(trackSchema).min(1),
    items: z.array(itemSchema).min(1),
  })
  .loose();

export type ManifestTrack = z.infer<typeof trackSchema>;
export type ManifestItem = z.infer<typeof itemSchema>;
export type DatasetManifest = z.infer<typeof datasetManifestSchema>;

export function readDatasetManifest(file: string): DatasetManifest {
  const parsed = datasetManifestSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`${file} is not a dataset manifest: ${problems.join('; ')}`);
  }
  const tracks = new Set(parsed.data.tracks.map((t) => t.trackId));
  const missing = parsed.data.items.filter((i) => !tracks.has(i.trackId)).map((i) => i.videoId);
  if (missing.length > 0) throw new Error(`${file}: items with an unknown trackId: ${missing.slice(0, 5).join(', ')}`);
  return parsed.data;
}

/** Rounds for the manifest: stable, readable numbers (the media files carry the exact data). */
export const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
