import fs from 'node:fs';
import path from 'node:path';
import type { MediaStorage } from '../../storage/media-storage';
import type { TrainingPair, TrainingPairRepository } from './training-pairs.repository';

/**
 * The dataset format `dataset:export` reads (lab/dataset/dataset-manifest.ts, docs/DATASET.md):
 * the same folder layout as a generated dataset, so the same export (the serving front end's
 * decoders and log-mel) turns it into the trainer's input.
 */
export const DATASET_FORMAT = 'bgm-synth-dataset/1';

export interface PlatformSnapshotOptions {
  outDir: string;
  /** Share of the creators' choices, the most recent ones, held out for evaluation (0 to 0.9). */
  heldOutFraction: number;
  now?: Date;
  log?: (line: string) => void;
}

export interface PlatformSnapshotSummary {
  items: number;
  train: number;
  test: number;
  tracks: number;
  videos: number;
  choices: number;
  votes: number;
  /** Votes on held-out videos (they would leak the held-out answers into training). */
  droppedVotes: number;
  /** Pairs whose video has no measured duration (not embedded yet). */
  skipped: number;
  /** The oldest held-out choice: everything at or after it is held out. */
  heldOutFrom: string | null;
}

/**
 * dataset:from-platform: the positive pairs the platform collected (creators' choices with the cut
 * they used, raters' votes for one side of an A/B task) written as a dataset folder: the media
 * copied out of the media store, a manifest in the generated datasets' format. The split is by
 * time: the most recent `heldOutFraction` of the choices are the test items, so a model is judged
 * on choices made after everything it trained on; votes on those videos are dropped.
 */
export async function snapshotPlatformDataset(
  pairs: TrainingPairRepository,
  storage: Pick<MediaStorage, 'withLocalFile'>,
  options: PlatformSnapshotOptions,
): Promise<PlatformSnapshotSummary> {
  const { outDir, heldOutFraction } = options;
  if (!(heldOutFraction >= 0 && heldOutFraction <= 0.9)) throw new Error('--held-out-fraction must be 0 to 0.9');
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0) throw new Error(`${outDir} is not empty`);
  const all = await pairs.listPairs();
  const usable = all.filter((p) => (p.video.durationSec ?? 0) > 0);
  const heldOut = heldOutChoices(usable, heldOutFraction);
  const heldOutVideos = new Set(heldOut.map((p) => p.videoId));
  const heldOutIds = new Set(heldOut.map((p) => p.id));
  const train = usable.filter((p) => !heldOutIds.has(p.id) && !heldOutVideos.has(p.videoId));
  const kept = [...train, ...heldOut];
  if (kept.length === 0) throw new Error('no pairs to export: record choices (recordBgmChoice) on READY videos first');

  fs.mkdirSync(outDir, { recursive: true });
  for (const sub of ['videos', 'voice', 'music']) fs.mkdirSync(path.join(outDir, sub), { recursive: true });
  const copied = new Map<string, string>();
  const copy = async (uri: string, folder: string, name: string): Promise<string> => {
    const key = `${folder}/${uri}`;
    const done = copied.get(key);
    if (done) return done;
    const relative = `${folder}/${name}${extensionOf(uri)}`;
    await storage.withLocalFile(uri, (file) => fs.promises.copyFile(file, path.join(outDir, relative)));
    copied.set(key, relative);
    options.log?.(`copied ${uri} -> ${relative}`);
    return relative;
  };

  const tracks = new Map<string, Record<string, unknown>>();
  const items: Record<string, unknown>[] = [];
  for (const pair of kept) {
    if (!tracks.has(pair.trackId)) {
      tracks.set(pair.trackId, {
        trackId: pair.trackId,
        file: await copy(pair.track.mediaUri, 'music', pair.trackId),
        title: pair.track.title,
        artist: pair.track.artist,
        ...(pair.track.durationSec ? { durationSec: pair.track.durationSec } : {}),
      });
    }
    const videoFile = await copy(pair.video.mediaUri, 'videos', pair.videoId);
    // Null: the voice-over is the video's own audio (registerVideo without voiceOverUri).
    const voiceOverFile = pair.video.voiceOverUri
      ? await copy(pair.video.voiceOverUri, 'voice', pair.videoId)
      : videoFile;
    items.push({
      videoId: `${pair.source === 'choice' ? 'c' : 'v'}-${pair.id}`,
      trackId: pair.trackId,
      split: heldOutIds.has(pair.id) ? 'test' : 'train',
      durationSec: pair.video.durationSec,
      musicOffsetSec: pair.startSec ?? 0,
      videoFile,
      voiceOverFile,
      platform: { source: pair.source, id: pair.id, videoId: pair.videoId, createdAt: pair.createdAt.toISOString() },
    });
  }
  const summary: PlatformSnapshotSummary = {
    items: items.length,
    train: train.length,
    test: heldOut.length,
    tracks: tracks.size,
    videos: new Set(kept.map((p) => p.videoId)).size,
    choices: kept.filter((p) => p.source === 'choice').length,
    votes: kept.filter((p) => p.source === 'vote').length,
    droppedVotes: usable.filter((p) => p.source === 'vote' && heldOutVideos.has(p.videoId)).length,
    skipped: all.length - usable.length,
    heldOutFrom: heldOut[0]?.createdAt.toISOString() ?? null,
  };
  const manifest = {
    format: DATASET_FORMAT,
    source: 'platform',
    snapshotAt: (options.now ?? new Date()).toISOString(),
    settings: { heldOutFraction },
    counts: summary,
    tracks: [...tracks.values()],
    items,
  };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return summary;
}

/**
 * The held-out choices of a time split: the most recent `fraction` (rounded up) of the creators'
 * choices over videos with a measured duration, oldest first. Shared by the snapshot's test split
 * and the gate (evaluateModelVersion), so a candidate is judged on the choices its data held out.
 */
export function heldOutChoices(pairs: readonly TrainingPair[], fraction: number): TrainingPair[] {
  const choices = pairs.filter((p) => p.source === 'choice' && (p.video.durationSec ?? 0) > 0);
  return choices.slice(choices.length - Math.ceil(choices.length * fraction));
}

/** The stored file's extension (decoders probe the content; the name only helps people). */
function extensionOf(uri: string): string {
  const ext = path.posix.extname(uri).toLowerCase();
  return /^\.[a-z0-9]{1,8}$/.test(ext) ? ext : '';
}
