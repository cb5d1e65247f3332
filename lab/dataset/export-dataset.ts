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

async function exportTrack(o: ExportOptions, track: ManifestTrack): Promise<void> {
  await writeLogMel(inside(o.datasetDir, track.file), path.join(o.outDir, 'music', `${track.trackId}.npy`));
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
    await exportTrack(o, t);
    log(`music ${t.trackId}`);
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
