import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readDatasetManifest } from '../../../lab/dataset/dataset-manifest';

function write(manifest: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-'));
  const file = path.join(dir, 'manifest.json');
  fs.writeFileSync(file, JSON.stringify(manifest));
  return file;
}

const foreignItem = (i: number) => ({
  videoId: `clip${i}`,
  trackId: 'song',
  split: 'test',
  durationSec: 30,
  videoFile: `v/${i}.mp4`,
  voiceOverFile: `a/${i}.wav`,
});

describe('readDatasetManifest', () => {
  it('accepts a dataset made elsewhere with only the fields export, eval and training read', () => {
    const manifest = readDatasetManifest(
      write({
        format: 'bgm-synth-dataset/1',
        tracks: [{ trackId: 'song', file: 'music/song.mp3' }],
        items: [foreignItem(1)],
      }),
    );
    expect(manifest.items[0]!.musicOffsetSec).toBe(0);
  });

  it('reports every problem at once', () => {
    const broken = Array.from({ length: 15 }, (_, i) => ({ ...foreignItem(i), durationSec: -1 }));
    expect(() =>
      readDatasetManifest(
        write({ format: 'bgm-synth-dataset/1', tracks: [{ trackId: 'song', file: 'm.ogg' }], items: broken }),
      ),
    ).toThrow(/15 problems/);
  });
});
