import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PreviewRenderer } from '../../../../src/http/rater/preview-renderer';

const HOUR = 3_600_000;
/** The cache tests never render: no media is read. */
const NO_MEDIA = { withLocalFile: () => Promise.reject(new Error('no media in these tests')) };
const VIDEO_A = '00000000-0000-4000-8000-00000000000a';
const VIDEO_B = '00000000-0000-4000-8000-00000000000b';

/** A cached preview file whose modification time is `ageMs` before `now`. */
function cached(root: string, videoId: string, name: string, ageMs: number, now: number): string {
  const file = path.join(root, videoId, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'mp4');
  const t = new Date(now - ageMs);
  fs.utimesSync(file, t, t);
  return file;
}

describe('PreviewRenderer cache', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'previews-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('evicts previews older than the limit and the folders left empty, keeps the rest', async () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    const oldA = cached(root, VIDEO_A, 'k1.mp4', 200 * HOUR, now);
    const crashLeftover = cached(root, VIDEO_A, 'k2.mp4.ab12.tmp.mp4', 300 * HOUR, now);
    const oldB = cached(root, VIDEO_B, 'k3.mp4', 170 * HOUR, now);
    const freshB = cached(root, VIDEO_B, 'k4.mp4', 2 * HOUR, now);
    const renderer = new PreviewRenderer(root, NO_MEDIA);

    expect(await renderer.evictOlderThan(168 * HOUR, now)).toBe(3);
    expect([oldA, crashLeftover, oldB].map((f) => fs.existsSync(f))).toEqual([false, false, false]);
    expect(fs.existsSync(path.join(root, VIDEO_A))).toBe(false);
    expect(fs.existsSync(freshB)).toBe(true);
    expect(await renderer.evictOlderThan(168 * HOUR, now)).toBe(0);
  });

  it('purges one video’s previews only, and refuses a folder name that is not a video id', async () => {
    const now = Date.now();
    cached(root, VIDEO_A, 'k1.mp4', 0, now);
    const other = cached(root, VIDEO_B, 'k2.mp4', 0, now);
    const renderer = new PreviewRenderer(root, NO_MEDIA);
    await renderer.purge(VIDEO_A);
    expect(fs.existsSync(path.join(root, VIDEO_A))).toBe(false);
    expect(fs.existsSync(other)).toBe(true);
    await expect(renderer.purge('../etc')).rejects.toThrow(RangeError);
  });

  it('has nothing to evict before the first render', async () => {
    expect(await new PreviewRenderer(path.join(root, 'never-made'), NO_MEDIA).evictOlderThan(HOUR)).toBe(0);
  });
});
