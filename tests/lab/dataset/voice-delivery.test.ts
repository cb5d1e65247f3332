import { DEFAULT_DELIVERY, DEFAULT_KNOBS, type SegmentDrivers } from '../../../lab/dataset/generation-rule';
import { Rng } from '../../../lab/dataset/prng';
import { makeVoiceOver, VOICE_SAMPLE_RATE, type Synthesize } from '../../../lab/dataset/voice-over';

/** espeak-ng stand-in: a 1 s tone whose level depends on the text, as real voices and texts do. */
const synth: Synthesize = (text) => {
  const amplitude = 0.05 + 0.3 * ((text.length % 7) / 7);
  const samples = Float32Array.from(
    { length: VOICE_SAMPLE_RATE },
    (_, i) => amplitude * Math.sin((2 * Math.PI * 220 * i) / VOICE_SAMPLE_RATE),
  );
  return Promise.resolve({ sampleRate: VOICE_SAMPLE_RATE, samples });
};

const drivers = (energy: number): SegmentDrivers => ({
  tempo: 0.5,
  beatSec: 0.5,
  beatPhaseSec: 0,
  energy: () => energy,
  centroid: () => 0.5,
  meanEnergy: energy,
});

function lineRms(pcm: Float32Array, startSec: number): number {
  // The middle half of a 1 s line: clear of the fades.
  const from = Math.round((startSec + 0.25) * VOICE_SAMPLE_RATE);
  let sum = 0;
  for (let i = from; i < from + VOICE_SAMPLE_RATE / 2; i++) sum += (pcm[i] ?? 0) ** 2;
  return Math.sqrt(sum / (VOICE_SAMPLE_RATE / 2));
}

describe('voice-over delivery knobs', () => {
  it("levelled lines are heard at the rule's gain whatever the voice's own level", async () => {
    const delivery = { ...DEFAULT_DELIVERY, levelLines: true };
    const vo = await makeVoiceOver(30, drivers(0.7), DEFAULT_KNOBS.voice, new Rng(1), synth, delivery);
    expect(vo.lines.length).toBeGreaterThan(3);
    for (const line of vo.lines) {
      const expected = 0.1 * 10 ** (line.gainDb / 20);
      expect(lineRms(vo.pcm.samples, line.startSec) / expected).toBeCloseTo(1, 1);
    }
  });

  it("without levelling the voice's own level stays in (the default rule)", async () => {
    const vo = await makeVoiceOver(30, drivers(0.7), DEFAULT_KNOBS.voice, new Rng(1), synth);
    const ratios = vo.lines.map((l) => lineRms(vo.pcm.samples, l.startSec) / 10 ** (l.gainDb / 20));
    expect(Math.max(...ratios) / Math.min(...ratios)).toBeGreaterThan(1.5);
  });

  it("the gain range and the longest pause are the knobs' values", async () => {
    const quiet = await makeVoiceOver(40, drivers(0), { strength: 1, noise: 0 }, new Rng(2), synth, {
      ...DEFAULT_DELIVERY,
      gainRangeDb: 30,
    });
    const loud = await makeVoiceOver(40, drivers(1), { strength: 1, noise: 0 }, new Rng(2), synth, {
      ...DEFAULT_DELIVERY,
      gainRangeDb: 30,
    });
    // Excited lines get 2 dB on top of the rule's gain.
    const ruleGain = (l: { gainDb: number; excited: boolean }) => l.gainDb - (l.excited ? 2 : 0);
    expect(quiet.lines.every((l) => Math.abs(ruleGain(l) + 33) < 1e-9)).toBe(true);
    expect(loud.lines.every((l) => Math.abs(ruleGain(l) + 3) < 1e-9)).toBe(true);
    const dense = await makeVoiceOver(40, drivers(0), { strength: 1, noise: 0 }, new Rng(3), synth, {
      ...DEFAULT_DELIVERY,
      maxGapBeats: 1,
    });
    const sparse = await makeVoiceOver(40, drivers(0), { strength: 1, noise: 0 }, new Rng(3), synth);
    const gaps = (lines: { startSec: number; endSec: number }[]) =>
      lines.slice(1).map((l, i) => l.startSec - lines[i]!.endSec);
    // One beat is 0.5 s; a quiet, slow segment makes the default creator pause up to 8 beats.
    expect(Math.max(...gaps(dense.lines))).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(Math.max(...gaps(sparse.lines))).toBeGreaterThan(2);
    expect(dense.lines.length).toBeGreaterThan(sparse.lines.length);
  });
});
