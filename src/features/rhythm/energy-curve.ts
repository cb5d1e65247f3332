/** Below this a block counts as silence; keeps -Infinity out of the stored curve. */
export const ENERGY_FLOOR_DB = -100;

/**
 * RMS level in dB relative to full scale of consecutive blocks of `hopSeconds` (the last block may
 * be shorter), rounded to 0.1 dB: how loud the music is over time, for picking a section.
 */
export function energyCurve(pcm: Float32Array, sampleRate: number, hopSeconds: number): number[] {
  const block = Math.max(1, Math.round(hopSeconds * sampleRate));
  const out: number[] = [];
  for (let start = 0; start < pcm.length; start += block) {
    const end = Math.min(pcm.length, start + block);
    let sum = 0;
    for (let i = start; i < end; i++) sum += pcm[i]! * pcm[i]!;
    const db = 10 * Math.log10(sum / (end - start));
    out.push(Math.round(Math.max(ENERGY_FLOOR_DB, db) * 10) / 10);
  }
  return out;
}
