import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveBinary, resolveMediaBinaries } from '../../../src/media/ffmpeg-binary';

describe('resolveBinary', () => {
  let dir: string;
  let fakeFfmpeg: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffmpeg-bin-'));
    fakeFfmpeg = path.join(dir, 'ffmpeg');
    fs.writeFileSync(fakeFfmpeg, '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'ffprobe'), 'not executable', { mode: 0o644 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prefers FFMPEG_PATH / FFPROBE_PATH', () => {
    expect(resolveBinary('ffmpeg', { FFMPEG_PATH: fakeFfmpeg, PATH: '/usr/bin' })).toBe(fakeFfmpeg);
  });

  it('refuses an env path that is not an executable file', () => {
    expect(() => resolveBinary('ffprobe', { FFPROBE_PATH: path.join(dir, 'ffprobe') })).toThrow(
      /FFPROBE_PATH=.* is not an executable file/,
    );
    expect(() => resolveBinary('ffmpeg', { FFMPEG_PATH: dir })).toThrow(/not an executable file/);
  });

  it('then looks on PATH, skipping files that are not executable', () => {
    expect(resolveBinary('ffmpeg', { PATH: `/nonexistent${path.delimiter}${dir}` })).toBe(fakeFfmpeg);
    expect(resolveBinary('ffprobe', { PATH: dir })).not.toBe(path.join(dir, 'ffprobe'));
  });

  it('falls back to the static build from node_modules', () => {
    const bins = resolveMediaBinaries({ PATH: '' });
    expect(bins.ffmpeg).toMatch(/node_modules\/@ffmpeg-installer\/.*ffmpeg$/);
    expect(bins.ffprobe).toMatch(/node_modules\/@ffprobe-installer\/.*ffprobe$/);
  });

  it('keeps the static build as the fallback decoder behind a system ffmpeg, and labels each', () => {
    const bins = resolveMediaBinaries({ PATH: '/usr/bin' });
    expect(bins).toMatchObject({ ffmpeg: '/usr/bin/ffmpeg', label: 'ffmpeg' });
    expect(bins.fallback).toMatchObject({
      label: 'bundled-ffmpeg',
      ffmpeg: expect.stringMatching(/@ffmpeg-installer/),
    });
    const bundledOnly = resolveMediaBinaries({ PATH: '' });
    expect(bundledOnly.label).toBe('bundled-ffmpeg');
    expect(bundledOnly.fallback).toBeUndefined();
  });
});
