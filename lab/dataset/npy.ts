import os from 'node:os';

/** NumPy .npy (format 1.0) for the two dtypes the training reader takes. */
export type NpyArray = { dtype: 'uint8'; data: Uint8Array } | { dtype: 'float32'; data: Float32Array };

const DESCR = { uint8: '|u1', float32: '<f4' } as const;

function header(descr: string, shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  // Magic (6) + version (2) + length (2) + dict + padding + "\n" is a multiple of 64 bytes.
  const unpadded = 10 + dict.length + 1;
  const padded = Math.ceil(unpadded / 64) * 64;
  const text = dict + ' '.repeat(padded - unpadded) + '\n';
  if (text.length > 0xffff) throw new RangeError('npy header too long');
  const out = Buffer.alloc(10 + text.length);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(text.length, 8);
  out.write(text, 10, 'latin1');
  return out;
}

/** Header and data of a C-order array; shape must account for every element. */
export function encodeNpy(array: NpyArray, shape: readonly number[]): Buffer {
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`bad shape (${shape.join(', ')})`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) {
    throw new RangeError(`shape (${shape.join(', ')}) holds ${count} elements, the data ${array.data.length}`);
  }
  // The in-memory float32 bytes are written as they are, which is '<f4' only on little-endian hosts.
  if (array.dtype === 'float32' && os.endianness() !== 'LE')
    throw new Error('float32 npy output needs a little-endian host');
  const body = Buffer.from(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  return Buffer.concat([header(DESCR[array.dtype], shape), body]);
}
