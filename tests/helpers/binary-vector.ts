/** pgvector's binary form of a vector (vector_send: int16 dimensions, int16 unused, big-endian float4s). */
export function binaryVector(values: number[]): Buffer {
  const bytes = Buffer.alloc(4 + 4 * values.length);
  bytes.writeUInt16BE(values.length, 0);
  values.forEach((v, i) => bytes.writeFloatBE(v, 4 + 4 * i));
  return bytes;
}
