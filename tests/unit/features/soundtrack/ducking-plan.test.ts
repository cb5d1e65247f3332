import { execFileSync } from 'node:child_process';
import { decodeAudio } from '../../../../src/media/decode-audio';
import { resolveMediaBinaries } from '../../../../src/media/ffmpeg-binary';
import { duckingPlan } from '../../../../src/features/soundtrack/ducking-plan';
import { MediaFixtures } from '../../../helpers/media-fixtures';

jest.setTimeout(60_000);

describe('duckingPlan', () => {
  it('ducks under each line with ramps and merges lines closer than the ramps', () => {
    const plan = duckingPlan(
      [
        { startSec: 2, endSec: 4 },
        { startSec: 4.3, endSec: 5 }, // 0.3 s pause < 0.15 + 0.4: stays down
        { startSec: 7, endSec: 8 },
      ],
      10,
    );
    expect(plan.keyframes).toEqual([
      { timeSec: 0, gainDb: 0 },
      { timeSec: 1.85, gainDb: 0 },
      { timeSec: 2, gainDb: -12 },
      { timeSec: 5, gainDb: -12 },
      { timeSec: 5.4, gainDb: 0 },
      { timeSec: 6.85, gainDb: 0 },
      { timeSec: 7, gainDb: -12 },
      { timeSec: 8, gainDb: -12 },
      { timeSec: 8.4, gainDb: 0 },
      { timeSec: 10, gainDb: 0 },
    ]);
  });

  it('keeps a voice-over without speech at full level, and clips lines to the video', () => {
    expect(duckingPlan([], 5).keyframes).toEqual([
      { timeSec: 0, gainDb: 0 },
      { timeSec: 5, gainDb: 0 },
    ]);
    const plan = duckingPlan([{ startSec: 4, endSec: 9 }], 5);
    expect(plan.keyframes.at(-1)).toEqual({ timeSec: 5, gainDb: -12 });
  });

  it('is an ffmpeg filter that lowers the music under speech by the planned amount (measured on the output)', async () => {
    const fx = new MediaFixtures();
    try {
      const plan = duckingPlan(
        [
          { startSec: 2, endSec: 4 },
          { startSec: 6, endSec: 7.5 },
        ],
        10,
      );
      const tone = fx.generate('tone.wav', ['-f', 'lavfi', '-i', 'sine=frequency=1000:duration=10:sample_rate=16000']);
      const out = fx.file('ducked.wav');
      execFileSync(resolveMediaBinaries().ffmpeg, ['-v', 'error', '-y', '-i', tone, '-af', plan.ffmpegFilter, out]);
      const { pcm } = await decodeAudio(out);
      const level = (a: number, b: number) => {
        let sum = 0;
        for (let i = a * 16000; i < b * 16000; i++) sum += pcm[i]! ** 2;
        return 10 * Math.log10(sum / ((b - a) * 16000));
      };
      const gaps = [level(0.5, 1.5), level(4.6, 5.6), level(8.2, 9.5)];
      const under = [level(2.1, 3.9), level(6.1, 7.4)];
      for (const g of gaps) for (const u of under) expect(g - u).toBeGreaterThan(11.5);
      for (const u of under) expect(u).toBeLessThan(gaps[0]! - 8);
    } finally {
      fx.cleanup();
    }
  });
});
