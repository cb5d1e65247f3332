import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeAudio } from '../../src/media/decode-audio';
import { mediaBinaries } from '../../src/media/ffmpeg-binary';
import { SAFE_INPUT_ARGS, safeInput } from '../../src/media/ffmpeg-input';
import { probeMedia } from '../../src/media/probe';
import { readPackageLicense } from '../dataset/debian-copyright';
import { resolveTrackLicense, type LicenseMap, type TrackLicense } from '../dataset/track-license';
import { readTrackTags } from '../dataset/track-tags';
import { mapPool } from '../dataset/worker-pool';
import { catalogPath, commonInstallDir, packageSources, type SourceEntry } from './debian-sources';

const run = promisify(execFile);
const MAX_TRACK_SECONDS = 30 * 60;
const MAX_TRACK_BYTES = 300 * 1024 * 1024;

export interface CatalogOptions {
  outDir: string;
  packages: readonly string[];
  concurrency: number;
  log: (line: string) => void;
}

export interface CatalogTrack {
  /** Relative to the catalog folder, "/"-separated: the key of licenses.json. */
  file: string;
  packageName: string;
  /** The installed file, zip member or stem folder it came from. */
  source: string;
  /** Which program could read it: Debian's ffmpeg 5.1 fails on some valid Ogg headers, sox reads them. */
  decoder: 'ffmpeg' | 'sox';
  sha256: string;
  durationSec: number;
  license: TrackLicense;
}

export interface CatalogReport {
  format: 'bgm-music-catalog/1';
  packages: string[];
  tracks: CatalogTrack[];
  skipped: { source: string; reason: string }[];
  totalSeconds: number;
}

function describeSource(e: SourceEntry): string {
  switch (e.kind) {
    case 'file':
      return e.absPath;
    case 'zipped':
      return `${e.archive}!${e.member}`;
    case 'stems':
      return `${e.songDir}/{${e.stems.map((s) => path.basename(s)).join(',')}}`;
  }
}

/** The path whose Debian copyright paragraph and tags describe the piece. */
function licensedPath(e: SourceEntry): string {
  return e.kind === 'file' ? e.absPath : e.kind === 'zipped' ? e.archive : (e.stems[0] ?? e.songDir);
}

async function materialise(e: SourceEntry, target: string): Promise<void> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(target, { force: true });
  switch (e.kind) {
    case 'file':
      try {
        fs.linkSync(e.absPath, target); // same file system: no copy of 11 hours of music
      } catch {
        fs.copyFileSync(e.absPath, target);
      }
      return;
    case 'zipped': {
      const { stdout } = await run('unzip', ['-p', e.archive, e.member], {
        encoding: 'buffer',
        maxBuffer: MAX_TRACK_BYTES,
      });
      fs.writeFileSync(target, stdout);
      return;
    }
    case 'stems': {
      const inputs = e.stems.flatMap((s) => [...SAFE_INPUT_ARGS, '-i', safeInput(s)]);
      const mix = `amix=inputs=${e.stems.length}:duration=longest:normalize=0,alimiter=limit=0.97`;
      await run(
        mediaBinaries().ffmpeg,
        ['-v', 'error', '-nostdin', ...inputs, '-filter_complex', mix, '-c:a', 'libvorbis', '-q:a', '5', target],
        { maxBuffer: 1024 * 1024, timeout: 300_000 },
      );
      return;
    }
  }
}

async function readable(file: string): Promise<number> {
  const info = await probeMedia(file, {
    maxFileBytes: MAX_TRACK_BYTES,
    maxDurationSeconds: MAX_TRACK_SECONDS,
    requireAudio: true,
  });
  const audio = await decodeAudio(file, {
    declaredDurationSeconds: info.audio?.durationSeconds ?? null,
    maxDurationSeconds: MAX_TRACK_SECONDS,
    timeoutMs: 300_000,
  });
  return audio.durationSeconds;
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

type Outcome = { track: CatalogTrack } | { skip: string };

async function addEntry(o: CatalogOptions, e: SourceEntry, installDir: string): Promise<Outcome> {
  let relative = catalogPath(e, installDir);
  let target = path.join(o.outDir, ...relative.split('/'));
  try {
    await materialise(e, target);
  } catch (error) {
    return { skip: `could not be extracted: ${(error as Error).message.split('\n')[0]}` };
  }
  let decoder: CatalogTrack['decoder'] = 'ffmpeg';
  let durationSec: number;
  try {
    durationSec = await readable(target);
  } catch (ffmpegError) {
    // A second decoder before giving up: sox reads the Ogg headers Debian's ffmpeg 5.1 refuses.
    const flac = target.replace(/\.[^./]+$/, '.flac');
    try {
      await run('sox', ['-q', target, flac], { timeout: 300_000 });
      fs.rmSync(target);
      durationSec = await readable(flac);
      relative = relative.replace(/\.[^./]+$/, '.flac');
      target = flac;
      decoder = 'sox';
    } catch (soxError) {
      fs.rmSync(target, { force: true });
      fs.rmSync(flac, { force: true });
      return {
        skip: `unreadable: ffmpeg: ${(ffmpegError as Error).message}; sox: ${(soxError as Error).message.split('\n')[0]}`,
      };
    }
  }
  const license = resolveTrackLicense({
    relativePath: relative,
    tags: await readTrackTags(target),
    packageLicense: readPackageLicense(e.packageName, licensedPath(e)),
  });
  if (!license) {
    fs.rmSync(target);
    return { skip: `no license or licensor in /usr/share/doc/${e.packageName}/copyright nor in the file's tags` };
  }
  return {
    track: {
      file: relative,
      packageName: e.packageName,
      source: describeSource(e),
      decoder,
      sha256: sha256(target),
      durationSec: Math.round(durationSec * 100) / 100,
      license,
    },
  };
}

/**
 * Builds a music catalog folder from installed Debian packages: `<out>/<package>/<file>` for every
 * piece that decodes and has a license, `licenses.json` (the generator's --license-map, one entry
 * per file) and `catalog.json` (where each file came from, its decoder, duration and hash, and
 * every skipped source with its reason). Identical files (packages that install the same music
 * under several folders) are kept once.
 */
export async function buildCatalog(o: CatalogOptions): Promise<CatalogReport> {
  fs.mkdirSync(o.outDir, { recursive: true });
  const entries: { entry: SourceEntry; installDir: string }[] = [];
  for (const p of o.packages) {
    const sources = await packageSources(p);
    const installDir = commonInstallDir(sources);
    entries.push(...sources.map((entry) => ({ entry, installDir })));
  }
  const outcomes = await mapPool(entries, o.concurrency, ({ entry, installDir }) => addEntry(o, entry, installDir));
  const report: CatalogReport = {
    format: 'bgm-music-catalog/1',
    packages: [...o.packages],
    tracks: [],
    skipped: [],
    totalSeconds: 0,
  };
  const byHash = new Map<string, string>();
  outcomes.forEach((outcome, i) => {
    const source = describeSource(entries[i]!.entry);
    if ('skip' in outcome) {
      report.skipped.push({ source, reason: outcome.skip });
      o.log(`skip ${source}: ${outcome.skip}`);
      return;
    }
    const { track } = outcome;
    const first = byHash.get(track.sha256);
    if (first) {
      fs.rmSync(path.join(o.outDir, ...track.file.split('/')));
      report.skipped.push({ source, reason: `the same file as ${first}` });
      return;
    }
    byHash.set(track.sha256, track.file);
    report.tracks.push(track);
    report.totalSeconds += track.durationSec;
  });
  report.tracks.sort((a, b) => (a.file < b.file ? -1 : 1));
  const licenses: LicenseMap = {
    tracks: Object.fromEntries(
      report.tracks.map(({ file, license: l }) => [
        file,
        {
          licensor: l.licensor,
          license: l.license,
          ...(l.licenseUrl ? { licenseUrl: l.licenseUrl } : {}),
          title: l.title,
          artist: l.artist,
          attribution: l.attribution,
        },
      ]),
    ),
  };
  fs.writeFileSync(path.join(o.outDir, 'licenses.json'), `${JSON.stringify(licenses, null, 2)}\n`);
  fs.writeFileSync(path.join(o.outDir, 'catalog.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
