import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { logMelSpectrogram } from '../../src/features/vggish-logmel';
import { decodeAudio } from '../../src/media/decode-audio';
import { probeMedia } from '../../src/media/probe';
import { decodeAllFrames } from './decode-all-frames';
import { readDatasetManifest, type ManifestItem, type ManifestTrack } from './dataset-manifest';
import { encodeNpy } from './npy';
import { mapPool } from './worker-pool';

/**
 * Turns a generated dataset into the training directory of training/README.md ("Dataset
 * directory"). Audio goes through decodeAudio and the VGGish log-mel of src/features, the very
 * code the serving path runs, so training and serving features cannot drift apart.
 */

export interface ExportOptions {
  datasetDir: string;
  outDir: string;
  frameSize: number;
  concurrency: number;
  /**
   * Folder of music features shared by exports (keyed by the audio file's SHA-256): a track that
   * many datasets draw from is decoded and written once, then hard-linked into each export.
   */
  musicCacheDir?: string;
  log?: (line: string) => void;
}

const MAX_MEDIA_BYTES = 1024 ** 3;
const MAX_SECONDS = 30 * 60;
export const FRAME_RATE = 2;

/** Resolves a manifest path inside the dataset folder (a manifest cannot point outside it). */
function inside(root: string, relative: string): string {
  const full = path.resolve(root, relative);
  if (!full.startsWith(path.resolve(root) + path.sep)) throw new Error(`${relative} points outside ${root}`);
  return full;
}

/** Whole-file log-mel frames [T_frames, 64], float32. */
async function logMelFile(file: string): Promise<{ data: Float32Array; frames: number; melBins: number }> {
  const info = await probeMedia(file, {
    maxFileBytes: MAX_MEDIA_BYTES,
    maxDurationSeconds: MAX_SECONDS,
    requireAudio: true,
  });
  const audio = await decodeAudio(file, {
    declaredDurationSeconds: info.audio?.durationSeconds,
    maxDurationSeconds: MAX_SECONDS,
  });
  return logMelSpectrogram(audio.pcm);
}

async function writeLogMel(source: string, target: string): Promise<number> {
  const mel = await logMelFile(source);
  await fs.writeFile(target, encodeNpy({ dtype: 'float32', data: mel.data }, [mel.frames, mel.melBins]));
  return mel.frames;
}

async function exportItem(o: ExportOptions, item: ManifestItem): Promise<void> {
  const dir = path.join(o.outDir, 'items', item.videoId);
  await fs.mkdir(dir, { recursive: true });
  const videoPath = inside(o.datasetDir, item.videoFile);
  const info = await probeMedia(videoPath, {
    maxFileBytes: MAX_MEDIA_BYTES,
    maxDurationSeconds: MAX_SECONDS,
    requireVideo: true,
  });
  const frames = await decodeAllFrames(videoPath, {
    width: o.frameSize,
    height: o.frameSize,
    fps: FRAME_RATE,
    maxSeconds: item.durationSec,
    declaredDurationSeconds: info.video?.durationSeconds ?? info.durationSeconds,
  });
  await fs.writeFile(
    path.join(dir, 'frames.npy'),
    encodeNpy({ dtype: 'uint8', data: frames.rgb }, [frames.count, frames.height, frames.width, 3]),
  );
  await writeLogMel(inside(o.datasetDir, item.voiceOverFile), path.join(dir, 'voice.npy'));
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hard link when the cache shares the file system, a copy otherwise. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await fs.rm(to, { force: true });
  try {
    await fs.link(from, to);
  } catch {
    await fs.copyFile(from, to);
  }
}

async function exportTrack(o: ExportOptions, track: ManifestTrack): Promise<'cached' | 'decoded'> {
  const source = inside(o.datasetDir, track.file);
  const target = path.join(o.outDir, 'music', `${track.trackId}.npy`);
  if (!o.musicCacheDir) {
    await writeLogMel(source, target);
    return 'decoded';
  }
  const cached = path.join(o.musicCacheDir, `${await fileSha256(source)}.npy`);
  const hit = await fs.stat(cached).then(
    () => true,
    () => false,
  );
  if (!hit) {
    await fs.mkdir(o.musicCacheDir, { recursive: true });
    const partial = `${cached}.${process.pid}.partial`;
    await writeLogMel(source, partial);
    await fs.rename(partial, cached); // atomic: a concurrent export never reads half a file
  }
  await linkOrCopy(cached, target);
  return hit ? 'cached' : 'decoded';
}

export interface ExportResult {
  items: number;
  tracks: number;
}

export async function exportDataset(o: ExportOptions): Promise<ExportResult> {
  const log = o.log ?? (() => undefined);
  if (!Number.isInteger(o.frameSize) || o.frameSize < 16 || o.frameSize > 512)
    throw new RangeError('frame size must be 16..512');
  const manifest = readDatasetManifest(path.join(o.datasetDir, 'manifest.json'));
  await fs.mkdir(path.join(o.outDir, 'music'), { recursive: true });
  await fs.mkdir(path.join(o.outDir, 'items'), { recursive: true });
  const used = new Set(manifest.items.map((i) => i.trackId));
  const tracks = manifest.tracks.filter((t) => used.has(t.trackId));
  await mapPool(tracks, o.concurrency, async (t) => {
    log(`music ${t.trackId} (${await exportTrack(o, t)})`);
  });
  let done = 0;
  await mapPool(manifest.items, o.concurrency, async (item) => {
    await exportItem(o, item);
    log(`[${++done}/${manifest.items.length}] ${item.videoId}`);
  });
  const items = manifest.items.map(({ videoId, trackId, split, durationSec, musicOffsetSec }) => ({
    videoId,
    trackId,
    split,
    durationSec,
    musicOffsetSec,
  }));
  await fs.writeFile(path.join(o.outDir, 'manifest.json'), `${JSON.stringify({ items }, null, 2)}\n`);
  return { items: items.length, tracks: tracks.length };
}
