import { decodeAudio } from '../../../src/media/decode-audio';
import {
  DEFAULT_VAD_OPTIONS,
  VAD_SAMPLE_RATE,
  voiceActivityFrom,
  VoiceActivityDetector,
} from '../../../src/inference/voice-activity';
import { createLogger } from '../../../src/common/logger';
import { OnnxPool } from '../../../src/inference/onnx-pool';
import { MediaFixtures } from '../../helpers/media-fixtures';

jest.setTimeout(120_000);

const TOLERANCE_SEC = 0.15;
let fx: MediaFixtures;
const pool = new OnnxPool(1, { provider: 'cpu', threadsPerSession: 1 }, createLogger('silent'));
const vad = new VoiceActivityDetector(pool);

beforeAll(() => {
  fx = new MediaFixtures();
});
afterAll(async () => {
  fx.cleanup();
  await pool.close();
});

/** The spoken part of an espeak-ng phrase: its samples from the first to the last above -40 dBFS. */
async function spokenPhrase(name: string, text: string): Promise<Float32Array> {
  const file = fx.speech(name, text);
  if (!file) throw new Error('espeak-ng is not installed (apt-get install espeak-ng)');
  const { pcm } = await decodeAudio(file);
  let a = 0;
  while (a < pcm.length && Math.abs(pcm[a]!) < 0.01) a++;
  let b = pcm.length - 1;
  while (b > a && Math.abs(pcm[b]!) < 0.01) b--;
  return pcm.slice(a, b + 1);
}

/** Quiet room noise (-60 dBFS, deterministic), so the silences are not digital zero. */
function roomNoise(seconds: number, seed: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * VAD_SAMPLE_RATE));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = ((x / 0xffffffff) * 2 - 1) * 0.0017;
  }
  return out;
}

describe('VoiceActivityDetector (Silero VAD) on an espeak-ng voice-over with known silences', () => {
  it('finds each line within 150 ms of its edges and nothing in the silences', async () => {
    const lines = [
      await spokenPhrase('l1.wav', 'Welcome back to the channel'),
      await spokenPhrase('l2.wav', 'Today we climb the highest peak in the valley'),
      await spokenPhrase('l3.wav', 'Watch this final jump'),
    ];
    const gaps = [1.5, 0.8, 2.0, 1.2]; // before line 1, between, after line 3
    const parts: Float32Array[] = [];
    const truth: { startSec: number; endSec: number }[] = [];
    let at = 0;
    gaps.forEach((gap, i) => {
      parts.push(roomNoise(gap, i + 1));
      at += gap;
      const line = lines[i];
      if (!line) return;
      // The room noise goes on under the speech, as it would in a recording.
      const noise = roomNoise(line.length / VAD_SAMPLE_RATE, 100 + i);
      const mixed = line.map((v, k) => v + noise[k]!);
      parts.push(mixed);
      truth.push({ startSec: at, endSec: at + line.length / VAD_SAMPLE_RATE });
      at += line.length / VAD_SAMPLE_RATE;
    });
    const pcm = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((offset, p) => (pcm.set(p, offset), offset + p.length), 0);

    const activity = await vad.detect(pcm);

    const report = activity.segments.map((s) => `${s.startSec.toFixed(2)}-${s.endSec.toFixed(2)}`).join(' ');
    process.stdout.write(
      `vad: truth ${truth.map((t) => `${t.startSec.toFixed(2)}-${t.endSec.toFixed(2)}`).join(' ')}; found ${report}\n`,
    );
    // A line may hold word pauses the detector splits at; the line's outer edges are what count.
    for (const line of truth) {
      const inside = activity.segments.filter((s) => s.endSec > line.startSec - 0.5 && s.startSec < line.endSec + 0.5);
      expect(inside.length).toBeGreaterThan(0);
      expect(Math.abs(inside[0]!.startSec - line.startSec)).toBeLessThanOrEqual(TOLERANCE_SEC);
      expect(Math.abs(inside.at(-1)!.endSec - line.endSec)).toBeLessThanOrEqual(TOLERANCE_SEC);
    }
    // Nothing found well inside a silence.
    for (let i = 0; i <= truth.length; i++) {
      const from = i === 0 ? 0 : truth[i - 1]!.endSec + TOLERANCE_SEC;
      const to = i === truth.length ? activity.durationSec : truth[i]!.startSec - TOLERANCE_SEC;
      for (const s of activity.segments) expect(s.endSec <= from || s.startSec >= to).toBe(true);
    }
    const spoken = truth.reduce((n, t) => n + t.endSec - t.startSec, 0);
    expect(activity.coverage).toBeCloseTo(spoken / activity.durationSec, 1);
    expect(activity.segments.every((s) => s.levelDbfs > -40 && s.levelDbfs < 0)).toBe(true);
  });

  it('finds no speech in room noise or in a steady tone', async () => {
    expect((await vad.detect(roomNoise(6, 7))).segments).toEqual([]);
    const tone = Float32Array.from(
      { length: 6 * VAD_SAMPLE_RATE },
      (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / VAD_SAMPLE_RATE),
    );
    const activity = await vad.detect(tone);
    expect(activity.coverage).toBeLessThan(0.1);
  });
});

describe('VoiceActivityDetector.speechShare (a track’s vocal presence)', () => {
  it('hears a voice over music and not the music alone', async () => {
    // 30 s of a C major chord with a slow tremolo, and the same with spoken lines over it.
    const seconds = 30;
    const chord = Float32Array.from({ length: seconds * VAD_SAMPLE_RATE }, (_, i) => {
      const t = i / VAD_SAMPLE_RATE;
      const tremolo = 0.75 + 0.25 * Math.sin(2 * Math.PI * 2 * t);
      return tremolo * 0.08 * [261.63, 329.63, 392.0].reduce((sum, f) => sum + Math.sin(2 * Math.PI * f * t), 0);
    });
    const line = await spokenPhrase('sung.wav', 'Oh the night is young and the road is long and we ride along');
    const voiced = chord.slice();
    for (let at = VAD_SAMPLE_RATE; at + line.length < voiced.length; at += line.length + VAD_SAMPLE_RATE / 2)
      for (let k = 0; k < line.length; k++) voiced[at + k]! += line[k]!;
    const music = await vad.speechShare(chord, 3, 5);
    const withVoice = await vad.speechShare(voiced, 3, 5);
    process.stdout.write(`vocal presence: chord ${music.toFixed(3)}, chord + voice ${withVoice.toFixed(3)}\n`);
    expect(music).toBeLessThan(0.05);
    expect(withVoice).toBeGreaterThan(0.5);
  });
});

describe('voiceActivityFrom (segmenting per-frame probabilities)', () => {
  const frames = (pattern: number[]) => Float32Array.from(pattern);
  const pcmFor = (n: number) => new Float32Array(n * 512).fill(0.1);

  it('bridges pauses shorter than minSilenceSec and drops blips shorter than minSpeechSec', () => {
    // 32 ms frames: 10 speech, 2 quiet (64 ms < 100 ms: bridged), 10 speech, 10 quiet, 3 speech (96 ms < 250 ms: dropped)
    const p = frames([
      ...Array(10).fill(0.9),
      0.1,
      0.1,
      ...Array(10).fill(0.9),
      ...Array(10).fill(0.1),
      0.9,
      0.9,
      0.9,
      0.1,
      0.1,
      0.1,
      0.1,
    ]);
    const { segments, coverage } = voiceActivityFrom(p, pcmFor(p.length), DEFAULT_VAD_OPTIONS);
    expect(segments).toHaveLength(1);
    expect(segments[0]!.startSec).toBeCloseTo(0, 5);
    expect(segments[0]!.endSec).toBeCloseTo(22 * 0.032 + 0.03, 5);
    expect(coverage).toBeCloseTo((22 * 0.032 + 0.03) / (p.length * 0.032), 5);
  });

  it('holds a segment open between the two thresholds and closes one still open at the end', () => {
    const p = frames([0.1, ...Array(10).fill(0.9), ...Array(5).fill(0.4), ...Array(10).fill(0.9)]);
    const { segments } = voiceActivityFrom(p, pcmFor(p.length), DEFAULT_VAD_OPTIONS);
    expect(segments).toHaveLength(1);
    expect(segments[0]!.startSec).toBeCloseTo(0.032 - 0.03, 5);
    expect(segments[0]!.endSec).toBeCloseTo(p.length * 0.032, 5);
  });
});
