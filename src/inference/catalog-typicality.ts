/**
 * Catalog typicality of each track's loudness curves (docs/RESULTS.md round 27; manifest
 * `catalogTypicality`, served by the catalog pass of embedding.repository.ts, measured in the lab by
 * `npm run eval -- --typicality-lambda L`).
 *
 * Per-track standardisation (track-scaling.ts) divides each track's score by what the model's
 * *training* reference videos score on it. A track whose loudness curves are unlike the rest of
 * its catalog scores low against those references, so an unseen video that happens to fit it gets
 * a large standardised score: the development draws traced the largest hub of the re-timed head to
 * such a track. Typicality measures that from the catalog's own music, with no video: how well
 * the other tracks' windows, read as level envelopes, find a match among this track's windows.
 * It depends on the catalog, not on the video, so serving keeps it per (model version, catalog)
 * and recomputes it when a track of the catalog is embedded.
 */

import type { ModelManifest } from './model-manifest';

/** A model version's manifest `catalogTypicality`, as its schema reads it (model-manifest.ts). */
export type TypicalitySettings = NonNullable<ModelManifest['catalogTypicality']>;

/** Every `PROBE_STRIDE`-th window of the other tracks probes a track (every 4 s at 1 s windows). */
export const PROBE_STRIDE = 4;

const dot = (a: readonly number[], b: readonly number[], from: number): number => {
  let s = 0;
  for (let i = from; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * `windows[track][window]`: the catalog's window embeddings, whose last `bins` numbers are the
 * timing part. Returns each track's typicality: the mean, over every `stride`-th window of every
 * other track, of that window's best timing-part dot product with the track's windows.
 */
export function catalogTypicality(
  windows: readonly (readonly (readonly number[])[])[],
  bins: number,
  stride = PROBE_STRIDE,
): number[] {
  if (windows.length < 2) throw new Error('typicality needs at least two tracks');
  if (windows.some((w) => w.length === 0)) throw new Error('every track needs at least one window');
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`timing bins must be a positive integer, got ${bins}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`stride must be a positive integer, got ${stride}`);
  const dim = windows[0]![0]!.length;
  if (bins > dim) throw new Error(`timing bins (${bins}) exceed the embedding (${dim})`);
  const from = dim - bins;
  const probes = windows.map((w) => w.filter((_, i) => i % stride === 0));
  return windows.map((own, t) => {
    let sum = 0;
    let count = 0;
    probes.forEach((list, other) => {
      if (other === t) return;
      for (const probe of list) {
        let best = -Infinity;
        for (const w of own) best = Math.max(best, dot(probe, w, from));
        sum += best;
        count++;
      }
    });
    return sum / count;
  });
}

/** (v - mean) / population std over the catalog; all zeros when every track is alike. */
export function standardise(values: readonly number[]): number[] {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return values.map((v) => (std > 0 ? (v - mean) / std : 0));
}

/**
 * The offset each track's ranking score gets: `-lambda x` its standardised typicality. A negative
 * lambda lowers the tracks least like the rest of the catalog.
 */
export function typicalityOffsets(typicality: readonly number[], lambda: number): number[] {
  if (!Number.isFinite(lambda)) throw new Error(`lambda must be finite, got ${lambda}`);
  return standardise(typicality).map((z) => -lambda * z);
}
