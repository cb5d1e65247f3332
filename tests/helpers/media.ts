import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Writes `dir/name` from one of ffmpeg's lavfi sources (e.g. `sine=...`, `aevalsrc=...`); returns its path. */
export function lavfiAudio(dir: string, name: string, source: string, outputArgs: string[] = []): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', source, ...outputArgs, file]);
  return file;
}

/** Writes a short real audio file (a sine tone, distinct per frequency) with ffmpeg. */
export function makeTone(dir: string, name: string, frequencyHz: number, seconds = 2): string {
  return lavfiAudio(dir, name, `sine=frequency=${frequencyHz}:duration=${seconds}`, ['-ac', '1']);
}

/** A short real video (test pattern) with a tone as its audio track. */
export function makeVideo(dir: string, name: string, seconds = 2): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=160x120:rate=10:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=330:duration=${seconds}`,
    '-shortest',
    '-pix_fmt',
    'yuv420p',
    file,
  ]);
  return file;
}

/** A deterministic unit vector of `dims` dimensions pointing mostly along axis `axis`. */
export function unitVector(dims: number, axis: number, noise = 0.05): number[] {
  const v = Array.from({ length: dims }, (_, i) => (i === axis ? 1 : noise * Math.sin(i * 7.3 + axis)));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** A 512-d unit vector close to `axis`, with `toward` of axis 0 mixed in (how much it also points at a video along axis 0). */
export function nearAxis(axis: number, toward: number): number[] {
  const v = unitVector(512, axis, 0.01).map((x, i) => x + (i === 0 ? toward : 0));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
