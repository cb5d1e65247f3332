/** Copies little-endian float32 bytes into a Float32Array (Buffer memory may be unaligned). */
export function bufferToFloat32(buf: Buffer): Float32Array {
  const out = new Float32Array(Math.floor(buf.length / 4));
  new Uint8Array(out.buffer).set(buf.subarray(0, out.length * 4));
  return out;
}

/** Root mean square level in dB relative to full scale (1.0); -Infinity for digital silence. */
export function rmsDbfs(pcm: Float32Array): number {
  if (pcm.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i] ?? 0;
    sum += v * v;
  }
  return 10 * Math.log10(sum / pcm.length);
}
