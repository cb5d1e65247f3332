import fs from 'node:fs/promises';
import path from 'node:path';
import { DATASET_FORMAT, round, type ManifestItem, type ManifestTrack } from './dataset-manifest';
import { planItems, type PlannedItem } from './dataset-plan';
import { encodeVideo } from './encode-video';
import { speak } from './espeak';
import { QuantileScale, segmentDrivers, type GenerationKnobs, type MusicScales } from './generation-rule';
import { loadLibrary, type LibraryTrack } from './music-library';
import { segmentProperties } from './music-properties';
import { TEST_FRACTION, type Preset } from './presets';
import { Rng } from './prng';
import type { LicenseMap } from './track-license';
import { planVideo, renderVideo } from './video-plan';
import { makeVoiceOver } from './voice-over';
import { encodeWav } from './wav';
import { mapPool } from './worker-pool';

export interface MakeDatasetOptions {
  musicDir: string;
  outDir: string;
  seed: number;
  presetName: string;
  preset: Preset;
  knobs: GenerationKnobs;
  licenseFrom?: string;
  licenseMap?: LicenseMap;
  concurrency: number;
  /** Replace the media and manifest of an existing dataset in outDir. */
  force?: boolean;
  log?: (line: string) => void;
}

const OUTPUTS = ['manifest.json', 'music', 'videos', 'voice'];

async function prepareOutDir(dir: string, force: boolean): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const present = await fs.readdir(dir);
  if (present.length === 0) return;
  if (!force) throw new Error(`${dir} is not empty (pass --force to replace a dataset there)`);
  const foreign = present.filter((p) => !OUTPUTS.includes(p));
  if (foreign.length > 0)
    throw new Error(`${dir} holds files that are not a dataset's: ${foreign.slice(0, 5).join(', ')}`);
  for (const p of OUTPUTS) await fs.rm(path.join(dir, p), { recursive: true, force: true });
  for (const p of ['music', 'videos', 'voice']) await fs.mkdir(path.join(dir, p));
}

function fitScales(tracks: readonly LibraryTrack[]): MusicScales {
  return {
    energy: new QuantileScale(tracks.flatMap((t) => t.analysis.energyDb)),
    centroid: new QuantileScale(tracks.flatMap((t) => t.analysis.centroidHz)),
  };
}

function trackEntry(t: LibraryTrack): ManifestTrack {
  const a = t.analysis;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  return {
    trackId: t.trackId,
    file: `music/${t.trackId}${path.extname(t.absPath).toLowerCase()}`,
    sourceFile: t.sourceFile,
    title: t.license.title,
    artist: t.license.artist,
    licensor: t.license.licensor,
    license: t.license.license,
    licenseUrl: t.license.licenseUrl,
    attribution: t.license.attribution,
    licenseSource: t.license.source,
    durationSec: round(t.durationSec),
    properties: {
      tempoBpm: round(a.tempoBpm, 2),
      meanEnergyDb: round(mean(a.energyDb), 2),
      meanCentroidHz: round(mean(a.centroidHz), 1),
      energyDb: a.energyDb.map((x) => round(x, 2)),
      centroidHz: a.centroidHz.map((x) => round(x, 1)),
    },
  };
}

async function generateItem(
  o: MakeDatasetOptions,
  track: LibraryTrack,
  item: PlannedItem,
  scales: MusicScales,
): Promise<ManifestItem> {
  const segment = segmentProperties(track.analysis, item.musicOffsetSec, item.durationSec);
  const drivers = segmentDrivers(segment, scales);
  const voiceOver = await makeVoiceOver(
    item.durationSec,
    drivers,
    o.knobs.voice,
    Rng.derive(o.seed, `voice:${item.videoId}`),
    speak,
    o.knobs.delivery,
  );
  const voiceOverFile = `voice/${item.videoId}.wav`;
  await fs.writeFile(path.join(o.outDir, voiceOverFile), encodeWav(voiceOver.pcm));
  const { fps, width, height } = o.preset;
  const plan = planVideo(item.durationSec, fps, drivers, o.knobs.video, Rng.derive(o.seed, `video:${item.videoId}`));
  const videoFile = `videos/${item.videoId}.mp4`;
  await encodeVideo(
    {
      outFile: path.join(o.outDir, videoFile),
      width,
      height,
      fps,
      durationSec: item.durationSec,
      audioFile: path.join(o.outDir, voiceOverFile),
    },
    (sink) => renderVideo(plan, Rng.derive(o.seed, `scene:${item.videoId}`), sink),
  );
  const lines = voiceOver.lines;
  const meanOf = (f: (l: (typeof lines)[number]) => number) =>
    round(lines.reduce((s, l) => s + f(l), 0) / Math.max(1, lines.length), 2);
  return {
    videoId: item.videoId,
    trackId: track.trackId,
    split: item.split,
    durationSec: item.durationSec,
    musicOffsetSec: item.musicOffsetSec,
    videoFile,
    voiceOverFile,
    segment: {
      tempoBpm: round(segment.tempoBpm, 2),
      beatPhaseSec: round(segment.beatPhaseSec, 2),
      meanEnergyDb: round(segment.meanEnergyDb, 2),
      meanCentroidHz: round(segment.meanCentroidHz, 1),
    },
    generation: {
      voice: {
        espeakVoice: voiceOver.voice,
        lines: lines.length,
        excitedLines: lines.filter((l) => l.excited).length,
        meanRateWpm: meanOf((l) => l.rateWpm),
        meanPitch: meanOf((l) => l.pitch),
        meanGainDb: meanOf((l) => l.gainDb),
        lineStartsSec: lines.map((l) => round(l.startSec, 2)),
      },
      video: {
        team: plan.team,
        meanIntensity: round(plan.intensity.reduce((s, x) => s + x, 0) / plan.intensity.length),
        cutsSec: plan.cutsSec.map((c) => round(c, 2)),
      },
    },
  };
}

export interface MakeDatasetResult {
  manifestPath: string;
  tracks: number;
  videos: number;
}

/** Generates the whole dataset: tracks, then every video and voice-over, then manifest.json. */
export async function makeDataset(o: MakeDatasetOptions): Promise<MakeDatasetResult> {
  const log = o.log ?? (() => undefined);
  await prepareOutDir(o.outDir, o.force ?? false);
  for (const p of ['music', 'videos', 'voice']) await fs.mkdir(path.join(o.outDir, p), { recursive: true });
  const { preset } = o;
  const tracks = await loadLibrary(
    {
      musicDir: o.musicDir,
      count: preset.tracks,
      minDurationSec: preset.maxVideoSec,
      licenseFrom: o.licenseFrom,
      licenseMap: o.licenseMap,
      concurrency: o.concurrency,
      log,
    },
    Rng.derive(o.seed, 'library'),
  );
  log(`${tracks.length} tracks measured; generating ${preset.videos} videos`);
  const entries = tracks.map(trackEntry);
  await Promise.all(tracks.map((t, i) => fs.copyFile(t.absPath, path.join(o.outDir, entries[i]?.file ?? ''))));
  const scales = fitScales(tracks);
  const planned = planItems(
    tracks.map((t) => t.durationSec),
    {
      videos: preset.videos,
      minVideoSec: preset.minVideoSec,
      maxVideoSec: preset.maxVideoSec,
      testFraction: preset.testFraction ?? TEST_FRACTION,
    },
    Rng.derive(o.seed, 'plan'),
  );
  let done = 0;
  const items = await mapPool(planned, o.concurrency, async (item) => {
    const track = tracks[item.trackIndex];
    if (!track) throw new Error(`no track ${item.trackIndex}`);
    const entry = await generateItem(o, track, item, scales);
    log(
      `[${++done}/${planned.length}] ${item.videoId} (${item.durationSec} s, ${track.trackId} @ ${item.musicOffsetSec} s)`,
    );
    return entry;
  });
  const manifest = {
    format: DATASET_FORMAT,
    seed: o.seed,
    preset: o.presetName,
    settings: { ...preset, testFraction: round(preset.testFraction ?? TEST_FRACTION, 4) },
    knobs: o.knobs,
    counts: {
      tracks: tracks.length,
      videos: items.length,
      train: items.filter((i) => i.split === 'train').length,
      test: items.filter((i) => i.split === 'test').length,
    },
    tracks: entries,
    items,
  };
  const manifestPath = path.join(o.outDir, 'manifest.json');
  await fs.writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifestPath, tracks: tracks.length, videos: items.length };
}
