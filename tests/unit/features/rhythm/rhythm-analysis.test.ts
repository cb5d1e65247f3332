import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { analyzeRhythm } from '../../../../src/features/rhythm/rhythm-analysis';
import { decodeAudio } from '../../../../src/media/decode-audio';
import { makeClickTrack, type ClickTrack } from '../../../helpers/music-signals';

jest.setTimeout(120_000);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rhythm-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Distance from each true beat to the nearest detected one, in seconds. */
function offsets(truth: number[], detected: number[]): number[] {
  return truth.map((t) => Math.min(...detected.map((d) => Math.abs(d - t))));
}

async function analyze(track: ClickTrack) {
  const audio = await decodeAudio(track.file);
  return analyzeRhythm(audio.pcm, audio.sampleRate);
}

describe.each([90, 120, 150])('a click track at %i BPM with an accent every 4 beats', (bpm) => {
  let track: ClickTrack;
  let result: ReturnType<typeof analyzeRhythm>;
  beforeAll(async () => {
    track = makeClickTrack(dir, `click-${bpm}.wav`, bpm);
    result = await analyze(track);
    const beatOffsets = offsets(track.beats.slice(1, -1), result.beats);
    // Printed for docs/MUSIC_ANALYSIS.md's accuracy table.
    console.log(
      `${bpm} BPM: tempo ${result.tempoBpm}, beats ${result.beats.length}/${track.beats.length}, ` +
        `max offset (inner beats) ${(1000 * Math.max(...beatOffsets)).toFixed(1)} ms, ` +
        `mean ${((1000 * beatOffsets.reduce((a, b) => a + b, 0)) / beatOffsets.length).toFixed(1)} ms`,
    );
  });

  it('finds the tempo within 1 BPM', () => {
    expect(Math.abs(result.tempoBpm! - bpm)).toBeLessThan(1);
  });

  it('puts a beat within 30 ms of every click (allowing the first and last), and no extra beats', () => {
    const inner = track.beats.slice(1, -1);
    expect(Math.max(...offsets(inner, result.beats))).toBeLessThan(0.03);
    expect(result.beats.length).toBeLessThanOrEqual(track.beats.length);
    expect(Math.max(...offsets(result.beats, track.beats))).toBeLessThan(0.03);
  });

  it('puts the downbeats on the accented clicks', () => {
    expect(result.downbeats.length).toBeGreaterThan(track.downbeats.length - 2);
    expect(Math.max(...offsets(result.downbeats, track.downbeats))).toBeLessThan(0.03);
  });

  it('gives an energy curve of one value per 0.5 s', () => {
    expect(result.energyHopSeconds).toBe(0.5);
    expect(result.energyDb).toHaveLength(60);
  });
});

it('finds no beat in a steady tone or in white noise', () => {
  const pcm = Float32Array.from({ length: 16_000 * 10 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16_000));
  const result = analyzeRhythm(pcm, 16_000);
  expect(result.tempoBpm).toBeNull();
  expect(result.beats).toEqual([]);
  let x = 1;
  const noise = Float32Array.from({ length: 16_000 * 20 }, () => {
    x = (x * 16807) % 2147483647;
    return 0.3 * (x / 2147483647 - 0.5);
  });
  expect(analyzeRhythm(noise, 16_000).tempoBpm).toBeNull();
});
