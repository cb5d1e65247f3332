import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { energyPerSecond } from '../../../lab/dataset/music-properties';
import { exportDataset } from '../../../lab/dataset/export-dataset';
import { decodeAudio } from '../../../src/media/decode-audio';
import { probeMedia } from '../../../src/media/probe';
import { makeMusicDir, makeTinyDataset } from './tiny-dataset';

jest.setTimeout(60_000);

const PYTHON = '/usr/bin/python3';
const LIMITS = { maxFileBytes: 100 * 1024 * 1024, maxDurationSeconds: 600 };

interface Item {
  videoId: string;
  durationSec: number;
  videoFile: string;
  voiceOverFile: string;
}

describe('generated media and their export', () => {
  let music: string;
  let dataset: string;
  let exported: string;
  let items: Item[];

  beforeAll(async () => {
    music = makeMusicDir();
    dataset = await makeTinyDataset(music, 5, 2);
    items = JSON.parse(fs.readFileSync(path.join(dataset, 'manifest.json'), 'utf8')).items;
    exported = fs.mkdtempSync(path.join(os.tmpdir(), 'dataset-export-'));
    await exportDataset({ datasetDir: dataset, outDir: exported, frameSize: 32, concurrency: 2 });
  });

  afterAll(() => {
    for (const dir of [music, dataset, exported]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes videos that probe at their planned length, with the voice-over as their audio', async () => {
    for (const item of items) {
      const info = await probeMedia(path.join(dataset, item.videoFile), {
        ...LIMITS,
        requireVideo: true,
        requireAudio: true,
      });
      expect(Math.abs((info.durationSeconds ?? 0) - item.durationSec)).toBeLessThan(0.2);
      expect(info.video).toMatchObject({ width: 160, height: 120, fps: 12 });
    }
  });

  it('writes voice-overs that last the whole video and carry speech', async () => {
    for (const item of items) {
      const audio = await decodeAudio(path.join(dataset, item.voiceOverFile));
      expect(Math.abs(audio.durationSeconds - item.durationSec)).toBeLessThan(0.05);
      const perSecond = energyPerSecond(audio.pcm, audio.sampleRate);
      // Speech in some seconds, near-silence (the noise floor) between lines.
      expect(Math.max(...perSecond)).toBeGreaterThan(-35);
      expect(Math.min(...perSecond)).toBeLessThan(-50);
    }
  });

  it('exports npy files that numpy loads with the training shapes', () => {
    const script = [
      'import json, sys, numpy as np',
      'root = sys.argv[1]',
      'm = json.load(open(root + "/manifest.json"))',
      'out = {"items": m["items"], "shapes": {}}',
      'for it in m["items"]:',
      '    f = np.load(f"{root}/items/{it[\'videoId\']}/frames.npy")',
      '    v = np.load(f"{root}/items/{it[\'videoId\']}/voice.npy")',
      '    out["shapes"][it["videoId"]] = [list(f.shape), str(f.dtype), list(v.shape), str(v.dtype), float(f.mean())]',
      'for t in sorted({it["trackId"] for it in m["items"]}):',
      '    a = np.load(f"{root}/music/{t}.npy")',
      '    out["shapes"][t] = [list(a.shape), str(a.dtype)]',
      'print(json.dumps(out))',
    ].join('\n');
    const result = JSON.parse(execFileSync(PYTHON, ['-c', script, exported], { encoding: 'utf8' }));
    expect(result.items).toHaveLength(2);
    for (const it of result.items) {
      expect(Object.keys(it).sort()).toEqual(['durationSec', 'musicOffsetSec', 'split', 'trackId', 'videoId']);
      const [frames, frameType, voice, voiceType, meanPixel] = result.shapes[it.videoId];
      expect(frames).toEqual([it.durationSec * 2, 32, 32, 3]);
      expect(frameType).toBe('uint8');
      expect(meanPixel).toBeGreaterThan(30);
      expect(voiceType).toBe('float32');
      expect(voice[1]).toBe(64);
      expect(Math.abs(voice[0] - it.durationSec * 100)).toBeLessThan(5);
      const [musicShape, musicType] = result.shapes[it.trackId];
      expect(musicShape).toEqual([2398, 64]);
      expect(musicType).toBe('float32');
    }
  });
});
