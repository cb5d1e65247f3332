import fs from 'node:fs';
import path from 'node:path';
import { periodicHann, spectrogramToMelMatrix } from '../../../src/features/mel-matrix';
import { frameCount, logMelSpectrogram, toPatches, VGGISH_PARAMS } from '../../../src/features/vggish-logmel';
import { makeSignal, type SignalSpec } from './test-signals';

// Fixtures come from training/reference/vggish_reference.py (NumPy port of the VGGish reference).
const FIXTURES = path.join(__dirname, '../../fixtures/features');

interface FixtureSignal extends Record<string, unknown> {
  name: string;
  file: string;
  samples: number;
  frames: number;
  patches: number;
  inputSum: number;
  inputHead: number[];
}

interface Fixtures {
  melMatrix: { file: string; rows: number; cols: number };
  periodicHann400Head: number[];
  signals: FixtureSignal[];
}

const fixtures = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'vggish-fixtures.json'), 'utf8')) as Fixtures;

function readF32(file: string): Float32Array {
  const buf = fs.readFileSync(path.join(FIXTURES, file));
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('VGGish log-mel front end against the NumPy reference', () => {
  it('builds the periodic Hann window of the reference', () => {
    const w = periodicHann(400);
    expect(maxAbsDiff(w.subarray(0, 5), fixtures.periodicHann400Head)).toBeLessThan(1e-12);
    expect(w[200]).toBeCloseTo(1, 12);
  });

  it('builds the same HTK mel matrix, with a zero DC row', () => {
    const expected = readF32(fixtures.melMatrix.file);
    const actual = spectrogramToMelMatrix(64, 257, 16000, 125, 7500);
    expect(maxAbsDiff(Float32Array.from(actual), expected)).toBeLessThan(1e-6);
    expect(Array.from(actual.subarray(0, 64)).every((v) => v === 0)).toBe(true);
  });

  it.each(fixtures.signals.map((s) => [s.name, s] as const))('matches the reference log-mel for %s', (_name, fx) => {
    const pcm = makeSignal(fx as unknown as SignalSpec);
    let sum = 0;
    for (const v of pcm) sum += v;
    expect(sum).toBeCloseTo(fx.inputSum, 6);
    expect(Array.from(pcm.subarray(0, 4))).toEqual(fx.inputHead);

    const logMel = logMelSpectrogram(pcm);
    expect(logMel.frames).toBe(fx.frames);
    expect(logMel.melBins).toBe(64);
    expect(maxAbsDiff(logMel.data, readF32(fx.file))).toBeLessThanOrEqual(1e-3);

    const patches = toPatches(logMel);
    expect(patches.count).toBe(fx.patches);
    expect(patches.data.length).toBe(fx.patches * 96 * 64);
    expect(patches.data).toEqual(logMel.data.subarray(0, patches.data.length));
  });

  it('puts a pure tone in the mel band that holds its frequency', () => {
    const pcm = new Float32Array(16000).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const { data } = logMelSpectrogram(pcm);
    const row = Array.from(data.subarray(10 * 64, 11 * 64));
    const peak = row.indexOf(Math.max(...row));
    const mel = (hz: number) => 1127 * Math.log(1 + hz / 700);
    const bandWidth = (mel(7500) - mel(125)) / 65;
    expect(Math.abs(peak + 1 - (mel(1000) - mel(125)) / bandWidth)).toBeLessThanOrEqual(1);
  });
});

describe('framing', () => {
  it('counts only whole 25 ms windows at a 10 ms hop', () => {
    expect(frameCount(399)).toBe(0);
    expect(frameCount(400)).toBe(1);
    expect(frameCount(559)).toBe(1);
    expect(frameCount(560)).toBe(2);
    expect(frameCount(32 * 16000)).toBe(3198);
    expect(logMelSpectrogram(new Float32Array(100)).frames).toBe(0);
  });

  it('gives log(0.01) for digital silence and drops a partial last patch', () => {
    const logMel = logMelSpectrogram(new Float32Array(2 * 16000));
    expect(logMel.frames).toBe(198);
    expect(Math.max(...logMel.data)).toBeCloseTo(Math.log(VGGISH_PARAMS.logOffset), 6);
    const patches = toPatches(logMel);
    expect([patches.count, patches.patchFrames, patches.melBins]).toEqual([2, 96, 64]);
  });

  it('honours maxFrames', () => {
    expect(logMelSpectrogram(new Float32Array(16000), 10).data.length).toBe(640);
  });
});
