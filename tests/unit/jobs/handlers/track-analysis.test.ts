import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeTrack, ANALYZER_VERSION } from '../../../../src/jobs/handlers/track-analysis';
import { decodeAudio } from '../../../../src/media/decode-audio';
import { probeMedia } from '../../../../src/media/probe';
import { makeClickTrack } from '../../../helpers/music-signals';

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'track-analysis-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const limits = { maxFileBytes: 50e6, maxDurationSeconds: 600, requireAudio: true };

it('analyses rhythm and loudness of a decodable track', async () => {
  const { file } = makeClickTrack(dir, 'click-100.wav', 100, { seconds: 20 });
  const probed = await probeMedia(file, limits);
  const audio = await decodeAudio(file);
  const result = await analyzeTrack(file, probed, audio.pcm, audio.sampleRate);
  expect(result).toMatchObject({ analyzerVersion: ANALYZER_VERSION, rhythmError: null, loudnessError: null });
  expect(Math.abs(result.tempoBpm! - 100)).toBeLessThan(1);
  expect(result.loudnessLufs).toEqual(expect.any(Number));
});

it('does not throw when a part fails: the loudness of a file gone meanwhile is an error, the rhythm still stands', async () => {
  const { file } = makeClickTrack(dir, 'click-gone.wav', 120, { seconds: 20 });
  const probed = await probeMedia(file, limits);
  const audio = await decodeAudio(file);
  fs.rmSync(file);
  const result = await analyzeTrack(file, probed, audio.pcm, audio.sampleRate);
  expect(result.loudnessLufs).toBeNull();
  expect(result.loudnessError).toMatch(/./);
  expect(result.rhythmError).toBeNull();
  expect(Math.abs(result.tempoBpm! - 120)).toBeLessThan(1);
});
