/** Deterministic test signals; keep in step with training/reference/vggish_reference.py. */

export const SAMPLE_RATE = 16_000;

export type SignalSpec =
  | { name: string; kind: 'sine_sweep'; samples: number; f0: number; f1: number; amplitude: number }
  | { name: string; kind: 'xorshift_noise'; samples: number; seed: number; amplitude: number }
  | { name: string; kind: 'tones_then_silence'; samples: number; toneSamples: number };

export function sineSweep(samples: number, f0: number, f1: number, amplitude: number): Float32Array {
  const duration = samples / SAMPLE_RATE;
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = i / SAMPLE_RATE;
    out[i] = amplitude * Math.sin(2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * duration)));
  }
  return out;
}

export function xorshiftNoise(samples: number, seed: number, amplitude: number): Float32Array {
  let x = seed >>> 0;
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = (x / 4294967296 - 0.5) * 2 * amplitude;
  }
  return out;
}

export function tonesThenSilence(samples: number, toneSamples: number): Float32Array {
  const out = new Float32Array(samples);
  for (let i = 0; i < toneSamples && i < samples; i++) {
    const t = i / SAMPLE_RATE;
    out[i] = 0.3 * Math.sin(2 * Math.PI * 440 * t) + 0.2 * Math.sin(2 * Math.PI * 3000 * t);
  }
  return out;
}

export function makeSignal(spec: SignalSpec): Float32Array {
  switch (spec.kind) {
    case 'sine_sweep':
      return sineSweep(spec.samples, spec.f0, spec.f1, spec.amplitude);
    case 'xorshift_noise':
      return xorshiftNoise(spec.samples, spec.seed, spec.amplitude);
    case 'tones_then_silence':
      return tonesThenSilence(spec.samples, spec.toneSamples);
  }
}
