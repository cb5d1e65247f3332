import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureLoudness, parseEbur128Summary } from '../../../src/media/loudness';
import { MediaError, MediaErrorCode } from '../../../src/media/media-error';
import { makeSine } from '../../helpers/music-signals';

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loudness-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('measureLoudness', () => {
  it('reads a stereo 1 kHz sine peaking at -23 dBFS as -23 LUFS and -23 dBTP (within 0.5)', async () => {
    const result = await measureLoudness(makeSine(dir, 'stereo-23.wav', -23, 2));
    console.log(`stereo -23 dBFS sine: ${result.integratedLufs} LUFS, ${result.truePeakDbtp} dBTP`);
    expect(Math.abs(result.integratedLufs - -23)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(result.truePeakDbtp - -23)).toBeLessThanOrEqual(0.5);
    expect(result.loudnessRangeLu).toBeCloseTo(0, 1);
  });

  it('reads a mono sine peaking at -10 dBFS as -13 LUFS (one channel: 3 dB less than stereo)', async () => {
    const result = await measureLoudness(makeSine(dir, 'mono-10.flac', -10, 1));
    console.log(`mono -10 dBFS sine: ${result.integratedLufs} LUFS, ${result.truePeakDbtp} dBTP`);
    expect(Math.abs(result.integratedLufs - -13)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(result.truePeakDbtp - -10)).toBeLessThanOrEqual(0.5);
  });

  it('fails with a MediaError for a file that is not media', async () => {
    const junk = path.join(dir, 'junk.mp3');
    fs.writeFileSync(junk, 'not audio at all');
    await expect(measureLoudness(junk)).rejects.toBeInstanceOf(MediaError);
  });
});

describe('parseEbur128Summary', () => {
  it('calls a summary at the absolute gate silent', () => {
    const stderr = `[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -70.0 LUFS\n    Threshold:   0.0 LUFS\n\n  Loudness range:\n    LRA:         0.0 LU\n\n  True peak:\n    Peak:       -inf dBFS\n`;
    expect(() => parseEbur128Summary(stderr)).toThrow(
      expect.objectContaining({ code: MediaErrorCode.SilentAudio }) as Error,
    );
  });

  it('says so when there is no summary', () => {
    expect(() => parseEbur128Summary('Conversion failed!')).toThrow(/no summary/);
  });
});
