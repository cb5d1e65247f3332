import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeAudio } from '../../src/media/decode-audio';
import { MediaError } from '../../src/media/media-error';
import { probeMedia } from '../../src/media/probe';
import { readPackageLicense } from './debian-copyright';
import { analyzeMusic, type MusicAnalysis } from './music-properties';
import type { Rng } from './prng';
import { resolveTrackLicense, type LicenseMap, type TrackLicense } from './track-license';
import { readTrackTags } from './track-tags';
import { mapPool } from './worker-pool';

export const AUDIO_EXTENSIONS = new Set(['.ogg', '.oga', '.opus', '.mp3', '.flac', '.wav', '.m4a']);
const MAX_TRACK_SECONDS = 30 * 60;
const MAX_TRACK_BYTES = 300 * 1024 * 1024;

export interface LibraryTrack {
  trackId: string;
  /** Relative to the music folder, "/"-separated. */
  sourceFile: string;
  absPath: string;
  durationSec: number;
  license: TrackLicense;
  analysis: MusicAnalysis;
}

export interface LibraryOptions {
  musicDir: string;
  count: number;
  /** Tracks shorter than this cannot hold a whole video and are left out. */
  minDurationSec: number;
  licenseFrom?: string;
  licenseMap?: LicenseMap;
  concurrency: number;
  log: (line: string) => void;
}

interface Candidate {
  sourceFile: string;
  absPath: string;
  durationSec: number;
  declaredAudioSec: number | null;
  license: TrackLicense;
}

/** Audio files under `dir`, as sorted relative paths (byte order, so any locale agrees). */
export async function listAudioFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && AUDIO_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function slugIds(files: readonly string[]): string[] {
  const used = new Set<string>();
  return files.map((file) => {
    const base =
      file
        .replace(/\.[^./]+$/, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60) || 'track'; // the manifest's trackId allows 64, with room for a -N suffix
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  });
}

async function describeCandidate(o: LibraryOptions, sourceFile: string): Promise<Candidate | string> {
  const absPath = path.join(o.musicDir, ...sourceFile.split('/'));
  let info;
  try {
    info = await probeMedia(absPath, {
      maxFileBytes: MAX_TRACK_BYTES,
      maxDurationSeconds: MAX_TRACK_SECONDS,
      requireAudio: true,
    });
  } catch (error) {
    return `unreadable: ${(error as Error).message}`;
  }
  const durationSec = info.audio?.durationSeconds ?? info.durationSeconds ?? 0;
  if (durationSec < o.minDurationSec) return `shorter than ${o.minDurationSec} s (${durationSec.toFixed(1)} s)`;
  const license = resolveTrackLicense({
    relativePath: sourceFile,
    tags: await readTrackTags(absPath),
    licenseMap: o.licenseMap,
    packageLicense: o.licenseFrom ? readPackageLicense(o.licenseFrom, absPath) : undefined,
  });
  if (!license) return 'no license or licensor found (use --license-from PACKAGE or --license-map FILE)';
  return { sourceFile, absPath, durationSec, declaredAudioSec: info.audio?.durationSeconds ?? null, license };
}

async function measure(c: Candidate): Promise<MusicAnalysis | string> {
  try {
    const audio = await decodeAudio(c.absPath, {
      declaredDurationSeconds: c.declaredAudioSec,
      maxDurationSeconds: MAX_TRACK_SECONDS,
      timeoutMs: 180_000,
    });
    return analyzeMusic(audio.pcm);
  } catch (error) {
    if (error instanceof MediaError) return `cannot be used: ${error.message}`;
    throw error;
  }
}

/**
 * Picks `count` usable tracks at random (seeded): long enough, licensed, decodable and not
 * silent. Every skipped file is logged with its reason.
 */
export async function loadLibrary(o: LibraryOptions, rng: Rng): Promise<LibraryTrack[]> {
  const files = await listAudioFiles(o.musicDir);
  if (files.length === 0) throw new Error(`no audio files (${[...AUDIO_EXTENSIONS].join(' ')}) under ${o.musicDir}`);
  const described = await mapPool(files, o.concurrency, (file) => describeCandidate(o, file));
  const candidates: Candidate[] = [];
  described.forEach((d, i) => {
    if (typeof d === 'string') o.log(`skip ${files[i]}: ${d}`);
    else candidates.push(d);
  });
  const chosen: { c: Candidate; analysis: MusicAnalysis }[] = [];
  const queue = rng.shuffle(candidates);
  while (chosen.length < o.count && queue.length > 0) {
    const batch = queue.splice(0, o.count - chosen.length);
    const measured = await mapPool(batch, o.concurrency, measure);
    measured.forEach((m, i) => {
      const c = batch[i] as Candidate;
      if (typeof m === 'string') o.log(`skip ${c.sourceFile}: ${m}`);
      else chosen.push({ c, analysis: m });
    });
  }
  if (chosen.length === 0) throw new Error(`no usable track under ${o.musicDir}`);
  if (chosen.length < o.count) o.log(`only ${chosen.length} usable tracks (asked for ${o.count})`);
  chosen.sort((a, b) => (a.c.sourceFile < b.c.sourceFile ? -1 : 1));
  const ids = slugIds(chosen.map((x) => x.c.sourceFile));
  return chosen.map(({ c, analysis }, i) => ({
    trackId: ids[i] ?? `track-${i}`,
    sourceFile: c.sourceFile,
    absPath: c.absPath,
    durationSec: analysis.durationSec,
    license: c.license,
    analysis,
  }));
}
