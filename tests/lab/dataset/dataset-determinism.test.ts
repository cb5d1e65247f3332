import fs from 'node:fs';
import path from 'node:path';
import { hashTree, makeMusicDir, makeTinyDataset } from './tiny-dataset';

jest.setTimeout(60_000);

describe('dataset generation', () => {
  let music: string;
  let first: string;
  let again: string;
  let other: string;

  beforeAll(async () => {
    music = makeMusicDir();
    first = await makeTinyDataset(music, 11);
    again = await makeTinyDataset(music, 11);
    other = await makeTinyDataset(music, 12);
  });

  afterAll(() => {
    for (const dir of [music, first, again, other]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same manifest and the same bytes for the same seed', () => {
    const a = hashTree(first);
    expect(Object.keys(a).sort()).toEqual(
      expect.arrayContaining(['manifest.json', 'videos/v0000.mp4', 'voice/v0002.wav', 'music/bright.wav']),
    );
    expect(hashTree(again)).toEqual(a);
  });

  it('differs for another seed', () => {
    const a = hashTree(first);
    const b = hashTree(other);
    expect(b['manifest.json']).not.toBe(a['manifest.json']);
    expect(b['videos/v0000.mp4']).not.toBe(a['videos/v0000.mp4']);
    expect(b['voice/v0000.wav']).not.toBe(a['voice/v0000.wav']);
  });

  it('records licensed tracks with measured properties and items that point at real files', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(first, 'manifest.json'), 'utf8'));
    expect(manifest.tracks.map((t: { trackId: string }) => t.trackId)).toEqual(['bright', 'dull']);
    for (const t of manifest.tracks) {
      expect(t).toMatchObject({ licensor: 'Test Suite', license: 'CC0-1.0', attribution: 'Synthetic test tones' });
      expect(t.properties.energyDb).toHaveLength(24);
    }
    const [bright, dull] = manifest.tracks;
    expect(bright.properties.meanEnergyDb).toBeGreaterThan(dull.properties.meanEnergyDb + 6);
    expect(bright.properties.meanCentroidHz).toBeGreaterThan(dull.properties.meanCentroidHz);
    expect(Math.abs(bright.properties.tempoBpm - 120)).toBeLessThan(3);
    expect(manifest.items).toHaveLength(3);
    for (const item of manifest.items) {
      expect(item).toMatchObject({ durationSec: 20, split: expect.stringMatching(/^(train|test)$/) });
      expect(item.musicOffsetSec).toBeGreaterThanOrEqual(0);
      expect(item.musicOffsetSec + item.durationSec).toBeLessThanOrEqual(24);
      expect(fs.existsSync(path.join(first, item.videoFile))).toBe(true);
      expect(fs.existsSync(path.join(first, item.voiceOverFile))).toBe(true);
    }
  });
});
