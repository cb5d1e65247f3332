'use strict';
// Runs an ONNX model in onnxruntime-node for the parity test (training/tests/test_export.py).
// Usage: node training/tests/onnx_parity_node.js SPEC.json
// SPEC: {"model": "x.onnx",
//        "inputs": [{"name": "music", "dims": [2, 33, 96, 64], "file": "music.bin"}],
//        "outputs": [{"name": "embedding", "file": "embedding.bin"}]}
// .bin files are raw little-endian float32; relative paths are relative to SPEC's folder.
// Prints {"outputs": [{"name", "dims"}]} on stdout.
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function readFloat32(file) {
  const bytes = fs.readFileSync(file);
  // Copy into a fresh buffer: Float32Array needs 4-byte alignment, Node buffers may be pooled.
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

async function main() {
  const specPath = process.argv[2];
  if (!specPath) throw new Error('usage: onnx_parity_node.js SPEC.json');
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
  const base = path.dirname(path.resolve(specPath));
  const at = (p) => path.resolve(base, p);
  const session = await ort.InferenceSession.create(at(spec.model), { intraOpNumThreads: 2 });
  const feeds = {};
  for (const input of spec.inputs) {
    feeds[input.name] = new ort.Tensor('float32', readFloat32(at(input.file)), input.dims);
  }
  const results = await session.run(feeds);
  const written = [];
  for (const output of spec.outputs) {
    const tensor = results[output.name];
    if (!tensor) throw new Error(`model has no output ${output.name}`);
    const data = Float32Array.from(tensor.data);
    fs.writeFileSync(at(output.file), Buffer.from(data.buffer));
    written.push({ name: output.name, dims: tensor.dims });
  }
  process.stdout.write(JSON.stringify({ outputs: written }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
