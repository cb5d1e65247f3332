/** Beats per bar assumed: 4/4 covers most production music; other metres get a bar of 4 beats. */
export const BEATS_PER_BAR = 4;

/**
 * Which beats start a bar: of the BEATS_PER_BAR phases of the beat sequence, the one whose beats
 * have the strongest onsets, whole-spectrum and low-band together (an accent, a kick drum or a
 * bass note on the one). Returns the indices into `beatFrames`.
 */
export function downbeatIndices(beatFrames: number[], envelope: Float32Array, low: Float32Array): number[] {
  if (beatFrames.length < BEATS_PER_BAR) return [];
  const envScale = meanAt(envelope, beatFrames) || 1;
  const lowScale = meanAt(low, beatFrames) || 1;
  let bestPhase = 0;
  let bestStrength = -Infinity;
  for (let phase = 0; phase < BEATS_PER_BAR; phase++) {
    let sum = 0;
    let count = 0;
    for (let i = phase; i < beatFrames.length; i += BEATS_PER_BAR) {
      const f = Math.round(beatFrames[i]!);
      sum += (envelope[f] ?? 0) / envScale + (low[f] ?? 0) / lowScale;
      count++;
    }
    const strength = sum / count;
    if (strength > bestStrength) {
      bestStrength = strength;
      bestPhase = phase;
    }
  }
  const indices: number[] = [];
  for (let i = bestPhase; i < beatFrames.length; i += BEATS_PER_BAR) indices.push(i);
  return indices;
}

function meanAt(values: Float32Array, frames: number[]): number {
  let sum = 0;
  for (const f of frames) sum += values[Math.round(f)] ?? 0;
  return sum / frames.length;
}
