/**
 * Unit vectors around random cluster centres (a catalog has genres; uniform noise in 512-d would
 * make every neighbour equally far and any ANN index look bad). Seeded, so runs compare.
 */
export function clusteredVectors(n: number, queries: number, dims: number, seed: number) {
  let s = seed >>> 0 || 1;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: 64 }, () => Float32Array.from({ length: dims }, gauss));
  const sample = () => {
    const c = centres[Math.floor(rand() * centres.length)]!;
    const v = Float32Array.from(c, (x) => x + 1.2 * gauss());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  return { vectors: Array.from({ length: n }, sample), queries: Array.from({ length: queries }, sample) };
}
