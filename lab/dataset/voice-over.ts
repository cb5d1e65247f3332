import {
  DEFAULT_DELIVERY,
  mixDriver,
  type ModalityKnobs,
  type SegmentDrivers,
  type VoiceDelivery,
} from './generation-rule';
import type { Rng } from './prng';
import type { MonoPcm } from './wav';
import type { SpeechParams } from './espeak';
import { CALM_LINES, EXCITED_LINES, VOICES } from './voice-lines';

// Bound once: inside a vm context (jest) every read of the global `Math` is intercepted.
const { min, max, abs } = Math;

/** espeak-ng's output rate; the voice-over keeps it (the platform resamples to 16 kHz). */
export const VOICE_SAMPLE_RATE = 22_050;
/** Residual noise left by vocal separation in real voice-overs; also keeps no second silent. */
const NOISE_FLOOR = 10 ** (-66 / 20);
/** RMS a levelled line is brought to before its gain (-20 dBFS: peaks stay clear of clipping). */
const LEVELLED_RMS = 0.1;

export type Synthesize = (text: string, params: SpeechParams) => Promise<MonoPcm>;

export interface SpokenLine {
  startSec: number;
  endSec: number;
  excited: boolean;
  text: string;
  rateWpm: number;
  pitch: number;
  gainDb: number;
}

export interface VoiceOver {
  pcm: MonoPcm;
  voice: string;
  lines: SpokenLine[];
}

/** The creator's own habits: fixed per video, independent of the music. */
interface Persona {
  voice: string;
  rate: number;
  pitch: number;
  gain: number;
  excitement: number;
  talkativeness: number;
}

function drawPersona(rng: Rng): Persona {
  return {
    voice: rng.pick(VOICES),
    rate: rng.next(),
    pitch: rng.next(),
    gain: rng.next(),
    excitement: rng.next(),
    talkativeness: rng.next(),
  };
}

/** Next beat of the music at or after t. */
function nextBeat(t: number, d: SegmentDrivers): number {
  return d.beatPhaseSec + Math.ceil((t - d.beatPhaseSec) / d.beatSec - 1e-9) * d.beatSec;
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

function addLine(out: Float32Array, line: Float32Array, start: number, gain: number): void {
  const fade = Math.min(220, Math.floor(line.length / 4));
  for (let i = 0; i < line.length && start + i < out.length; i++) {
    const edge = min(1, i / fade, (line.length - 1 - i) / fade);
    out[start + i] = (out[start + i] ?? 0) + gain * edge * (line[i] ?? 0);
  }
}

/**
 * Talks over the music the way an editor does: louder, faster, higher and more excited lines
 * where the segment is loud, fast and bright, more lines when it is busy, excited lines on the
 * beat. Each of these follows the music with knobs.strength; the rest is the persona and noise.
 */
export async function makeVoiceOver(
  durationSec: number,
  drivers: SegmentDrivers,
  knobs: ModalityKnobs,
  rng: Rng,
  synthesize: Synthesize,
  delivery: VoiceDelivery = DEFAULT_DELIVERY,
): Promise<VoiceOver> {
  const persona = drawPersona(rng);
  const total = Math.round(durationSec * VOICE_SAMPLE_RATE);
  const out = new Float32Array(total);
  const lines: SpokenLine[] = [];
  let t = rng.uniform(0.3, 1.5);
  while (t < durationSec - 1) {
    const energy = drivers.energy(t);
    const excited = mixDriver(knobs, energy, persona.excitement, rng) > 0.5;
    if (excited && rng.chance(knobs.strength)) t = nextBeat(t, drivers);
    const pace = mixDriver(knobs, 0.5 * drivers.tempo + 0.5 * energy, persona.rate, rng);
    const params: SpeechParams = {
      voice: persona.voice,
      rateWpm: 125 + 125 * pace + (excited ? 20 : 0),
      pitch: 15 + 60 * mixDriver(knobs, drivers.centroid(t), persona.pitch, rng) + (excited ? 10 : 0),
    };
    // The loudest lines sit at -3 dB (before the excited boost), the range reaching down from there.
    const gainDb =
      -3 -
      delivery.gainRangeDb +
      delivery.gainRangeDb * mixDriver(knobs, energy, persona.gain, rng) +
      (excited ? 2 : 0);
    const text = rng.pick(excited ? EXCITED_LINES : CALM_LINES);
    const speech = await synthesize(text, params);
    if (speech.sampleRate !== VOICE_SAMPLE_RATE)
      throw new Error(`speech at ${speech.sampleRate} Hz, expected ${VOICE_SAMPLE_RATE}`);
    const seconds = speech.samples.length / VOICE_SAMPLE_RATE;
    if (t + seconds > durationSec - 0.2) break;
    const level = delivery.levelLines ? LEVELLED_RMS / Math.max(1e-6, rms(speech.samples)) : 1;
    addLine(out, speech.samples, Math.round(t * VOICE_SAMPLE_RATE), level * 10 ** (gainDb / 20));
    lines.push({
      startSec: t,
      endSec: t + seconds,
      excited,
      text,
      rateWpm: params.rateWpm,
      pitch: params.pitch,
      gainDb,
    });
    const busy = mixDriver(knobs, 0.5 * energy + 0.5 * drivers.tempo, persona.talkativeness, rng);
    const gapBeats = 1 + Math.round((delivery.maxGapBeats - 1) * (1 - busy));
    t += seconds + Math.max(0.15, gapBeats * drivers.beatSec + knobs.noise * drivers.beatSec * rng.normal());
  }
  let peak = 0;
  for (let i = 0; i < total; i++) {
    const v = (out[i] ?? 0) + NOISE_FLOOR * (2 * rng.next() - 1);
    out[i] = v;
    peak = max(peak, abs(v));
  }
  if (peak > 0.97) for (let i = 0; i < total; i++) out[i] = ((out[i] ?? 0) * 0.97) / peak;
  return { pcm: { sampleRate: VOICE_SAMPLE_RATE, samples: out }, voice: persona.voice, lines };
}
