import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_KNOBS } from '../../../lab/dataset/generation-rule';
import { makeDataset } from '../../../lab/dataset/make-dataset';
import { PRESETS } from '../../../lab/dataset/presets';
import { readLicenseMap } from '../../../lab/dataset/track-license';
import { resolveMediaBinaries } from '../../../src/media/ffmpeg-binary';

/** A music folder of two synthetic 24 s "tracks" (fast, bright and loud vs slow, dull and soft). */
export function makeMusicDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dataset-music-'));
  const ffmpeg = resolveMediaBinaries().ffmpeg;
  const tracks = {
    'bright.wav': '0.25*sin(2*PI*1760*t)*exp(-12*mod(t\\,0.5))+0.15*sin(2*PI*110*t)',
    'dull.wav': '0.05*sin(2*PI*196*t)*(0.6+0.4*sin(2*PI*t*80/60))',
  };
  for (const [name, expr] of Object.entries(tracks)) {
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `aevalsrc=${expr}:s=22050:d=24`,
      path.join(dir, name),
    ]);
  }
  fs.writeFileSync(
    path.join(dir, 'licenses.json'),
    JSON.stringify({ default: { licensor: 'Test Suite', license: 'CC0-1.0', attribution: 'Synthetic test tones' } }),
  );
  return dir;
}

/** Generates `videos` videos of 20 s over the two tracks. */
export async function makeTinyDataset(musicDir: string, seed: number, videos = 3): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dataset-out-'));
  await makeDataset({
    musicDir,
    outDir,
    seed,
    presetName: 'small',
    preset: { ...PRESETS.small, videos, tracks: 2, minVideoSec: 20, maxVideoSec: 20 },
    knobs: DEFAULT_KNOBS,
    licenseMap: readLicenseMap(path.join(musicDir, 'licenses.json')),
    concurrency: 2,
  });
  return outDir;
}

/** Relative path -> sha256 of every file under `dir`. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
  }
  return out;
}
