import fs from 'node:fs';
import { z } from 'zod';

/** manifest.json of a generated dataset (docs/DATASET.md). */
export const DATASET_FORMAT = 'bgm-synth-dataset/1';

const num = z.number().finite();

/**
 * What export, eval and training read is required; the rest (licenses, measured properties,
 * generation records) is what dataset:make writes to explain results, optional for a dataset made
 * elsewhere.
 */
const trackSchema = z
  .object({
    trackId: z.string().regex(/^[a-z0-9-]{1,64}$/),
    file: z.string().min(1),
    sourceFile: z.string().optional(),
    title: z.string().optional(),
    artist: z.string().optional(),
    licensor: z.string().min(1).optional(),
    license: z.string().min(1).optional(),
    licenseUrl: z.string().nullable().optional(),
    attribution: z.string().min(1).optional(),
    licenseSource: z.string().optional(),
    durationSec: num.positive().optional(),
    properties: z
      .object({
        tempoBpm: num,
        meanEnergyDb: num,
        meanCentroidHz: num,
        energyDb: z.array(num).optional(),
        centroidHz: z.array(num).optional(),
      })
      .optional(),
  })
  .loose();

const itemSchema = z
  .object({
    videoId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    trackId: z.string(),
    split: z.enum(['train', 'test']),
    durationSec: num.positive(),
    /** Where in the track the video's music starts; 0 when absent. */
    musicOffsetSec: num.min(0).default(0),
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
    // Every problem at once: a dataset made elsewhere is fixed in one pass, not ten at a time.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`${file} is not a dataset manifest (${problems.length} problems): ${problems.join('; ')}`);
  }
  const tracks = new Set(parsed.data.tracks.map((t) => t.trackId));
  const missing = parsed.data.items.filter((i) => !tracks.has(i.trackId)).map((i) => i.videoId);
  if (missing.length > 0)
    throw new Error(`${file}: ${missing.length} items with an unknown trackId: ${missing.join(', ')}`);
  return parsed.data;
}

/** Rounds for the manifest: stable, readable numbers (the media files carry the exact data). */
export const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
