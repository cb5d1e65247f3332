import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MAX_SOFTMAX_BETA } from './track-scaling';

/** manifest.json of a model-version folder (docs/MODEL_CONTRACT.md). */
/** A model version as manifests, the registry and folder names carry it. */
export const MODEL_VERSION = /^[A-Za-z0-9._+-]{1,64}$/;

const manifestSchema = z
  .object({
    format: z.literal('bgm-model/1'),
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    version: z.string().regex(MODEL_VERSION),
    embeddingDim: z.literal(512),
    clipSeconds: z.literal(32),
    /**
     * Seconds between the starts of a track's music windows (a multiple of 10 ms, 1 to 32); absent
     * in older folders, which were trained for windows every 32 s.
     */
    windowHopSeconds: z
      .number()
      .min(1)
      .max(32)
      .refine((s) => Math.abs(Math.round(s * 100) - s * 100) < 1e-6, 'must be a multiple of 0.01 s')
      .default(32),
    audio: z
      .object({
        sampleRate: z.literal(16000),
        melBins: z.literal(64),
        patchFrames: z.literal(96),
        patchesPerClip: z.literal(33),
      })
      .loose(),
    video: z
      .object({
        fastFrames: z.literal(64),
        slowFrames: z.literal(8),
        height: z.number().int().min(16).max(512),
        width: z.number().int().min(16).max(512),
      })
      .loose(),
    files: z.object({
      query: z.string().min(1),
      bgm: z.string().min(1),
      /** Little-endian float32 [referenceQueryCount, embeddingDim]: see src/inference/track-scaling.ts. */
      referenceQueries: z.string().min(1).optional(),
    }),
    referenceQueryCount: z.number().int().min(2).max(65536).optional(),
    /**
     * Present when the music branch also takes each window's loudness per second: `input` names the
     * bgm.onnx input, float32 [batch, 31], each second's full-band RMS level in dBFS (floored at
     * -100) from the same 16 kHz audio as the log-mel (src/features/second-levels.ts). Absent: the
     * music branch takes the log-mel alone, as every folder before 2026-12-06.
     */
    musicLevels: z
      .object({
        input: z.string().regex(/^[A-Za-z0-9_]{1,64}$/),
        bins: z.literal(31),
        measure: z.literal('rms-dbfs'),
      })
      .optional(),
    /**
     * Present when the query branch also takes the voice-over's real length: `input` names the
     * query.onnx input, float32 [batch], seconds in [0, 32]. A voice-over shorter than the 32 s clip
     * is looped to fill it; the graph leaves the loop out of its timing envelope (round 26,
     * training/mrcmv/retime.py --mask-loop). Absent: the graph reads the looped clip as it is.
     */
    voiceSeconds: z
      .object({
        input: z.string().regex(/^[A-Za-z0-9_]{1,64}$/),
      })
      .optional(),
    /**
     * Present when ranking moves each track's standardised score by `-lambda x` its catalog
     * typicality standardised over the catalog (src/inference/catalog-typicality.ts, round 27):
     * typicality reads the last `bins` numbers of each window embedding (the timing part) and every
     * `probeStride`-th window of the other tracks. Needs reference queries. Absent: no offset.
     */
    catalogTypicality: z
      .object({
        lambda: z.number().min(-10).max(10),
        bins: z.number().int().min(1).max(512),
        probeStride: z.number().int().min(1).max(1000).default(4),
      })
      .optional(),
    /**
     * Sharpness of each track's centre over its reference scores (src/inference/track-scaling.ts):
     * 0, the default and what older folders mean, is their mean.
     */
    referenceSoftmaxBeta: z.number().min(0).max(MAX_SOFTMAX_BETA).default(0),
    /**
     * Optional hex sha256 per file of the folder, keyed by the name `files` gives it: checked before
     * anything is read, so a corrupt copy or a tampered download is refused (ModelIntegrityError).
     */
    sha256: z.record(z.string().min(1).max(255), z.string().regex(/^[0-9a-f]{64}$/, 'a hex sha256')).optional(),
    metrics: z.record(z.string(), z.unknown()).optional(),
    training: z.record(z.string(), z.unknown()).optional(),
  })
  .loose()
  // The offset is added to the standardised score: without references there is none to add it to.
  .refine((m) => !m.catalogTypicality || m.files.referenceQueries, {
    path: ['catalogTypicality'],
    message: 'catalogTypicality needs files.referenceQueries',
  });

export type ModelManifest = z.infer<typeof manifestSchema>;

export interface ModelFolder {
  dir: string;
  manifest: ModelManifest;
  queryPath: string;
  bgmPath: string;
  /** Query embeddings each track's scores are standardised against; absent: raw cosine scores. */
  referenceQueries?: Float32Array[];
}

export class ModelFolderError extends Error {
  override name = 'ModelFolderError';
}

/** A model file whose bytes are not what the manifest's sha256 says. */
export class ModelIntegrityError extends ModelFolderError {
  override name = 'ModelIntegrityError';

  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${file}: sha256 ${actual} differs from the manifest's ${expected}; the file is corrupt or was altered`);
  }
}

/** manifest.json and the files it names: what a copy of the folder must hold. */
export function modelFileNames(manifest: ModelManifest): string[] {
  const { query, bgm, referenceQueries } = manifest.files;
  return ['manifest.json', query, bgm, ...(referenceQueries ? [referenceQueries] : [])];
}

export function sha256OfFile(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** `raw` as the manifest schema reads it; ModelFolderError naming every problem, prefixed `where`, otherwise. */
export function parseManifest(raw: unknown, where: string): ModelManifest {
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ModelFolderError(
      `${where}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** Reads and checks a model-version folder; the error says what is wrong with it. */
export function readModelFolder(dir: string): ModelFolder {
  const file = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ModelFolderError(`${file}: ${(err as Error).message}`);
  }
  const manifest = parseManifest(raw, file);
  const resolveFile = (name: string) => {
    const p = path.resolve(dir, name);
    if (path.relative(dir, p).startsWith('..') || !fs.existsSync(p))
      throw new ModelFolderError(`${dir}: missing model file ${name}`);
    return p;
  };
  // Before anything is read: a model that fails its hashes is not loaded at all.
  for (const [name, expected] of Object.entries(manifest.sha256 ?? {})) {
    const actual = sha256OfFile(resolveFile(name));
    if (actual !== expected) throw new ModelIntegrityError(path.join(dir, name), expected, actual);
  }
  const referenceQueries = manifest.files.referenceQueries
    ? readReferenceQueries(resolveFile(manifest.files.referenceQueries), manifest)
    : undefined;
  return {
    dir,
    manifest,
    queryPath: resolveFile(manifest.files.query),
    bgmPath: resolveFile(manifest.files.bgm),
    ...(referenceQueries ? { referenceQueries } : {}),
  };
}

function readReferenceQueries(file: string, manifest: ModelManifest): Float32Array[] {
  const count = manifest.referenceQueryCount;
  if (count === undefined) throw new ModelFolderError(`${file}: files.referenceQueries needs referenceQueryCount`);
  const bytes = fs.readFileSync(file);
  const dim = manifest.embeddingDim;
  if (bytes.length !== count * dim * 4) {
    throw new ModelFolderError(`${file}: ${bytes.length} bytes, expected ${count} x ${dim} float32`);
  }
  // Copied out of the Buffer: its offset in Node's pool need not be 4-byte aligned.
  const all = new Float32Array(count * dim);
  for (let i = 0; i < all.length; i++) all[i] = bytes.readFloatLE(i * 4);
  if (!all.every(Number.isFinite)) throw new ModelFolderError(`${file}: values must be finite`);
  return Array.from({ length: count }, (_, r) => all.subarray(r * dim, (r + 1) * dim));
}
