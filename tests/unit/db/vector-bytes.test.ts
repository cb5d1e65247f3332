import { vectorFromBytes } from '../../../src/db/vector-bytes';
import { binaryVector } from '../../helpers/binary-vector';

describe('vectorFromBytes', () => {
  it('reads the float4 values, from a Buffer or from a Uint8Array inside a larger buffer', () => {
    const values = [0.1, -2.5, 3e-8, 1024.75];
    expect(vectorFromBytes(binaryVector(values))).toEqual(values.map((v) => Math.fround(v)));
    const inside = new Uint8Array(64);
    inside.set(binaryVector(values), 8);
    expect(vectorFromBytes(inside.subarray(8, 8 + 20))).toEqual(values.map((v) => Math.fround(v)));
  });

  it('refuses bytes that are not a whole vector', () => {
    expect(() => vectorFromBytes(binaryVector([1, 2]).subarray(0, 11))).toThrow('11 bytes for 2 dimensions');
    expect(() => vectorFromBytes(new Uint8Array(2))).toThrow('not a binary vector');
    expect(vectorFromBytes(binaryVector([]))).toEqual([]);
  });
});
