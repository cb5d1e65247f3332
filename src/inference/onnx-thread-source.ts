/**
 * Code of an inference thread. It is kept as source text and started with `eval: true` so the
 * same code runs from src/ under jest (TypeScript) and from dist/ (JavaScript). It holds one
 * onnxruntime session per model file and answers run requests; session.run blocks its thread,
 * never the event loop that acks messages and serves requests.
 */
export const ONNX_THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const ort = require('onnxruntime-node');
const sessions = new Map();

// 'auto' tries CUDA only where the CUDA provider library was installed
// (ONNXRUNTIME_NODE_INSTALL=cuda12), so CPU machines do not log a failed CUDA load per session.
function cudaInstalled() {
  const bin = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
  return fs.existsSync(path.join(bin, 'libonnxruntime_providers_cuda.so'));
}
const tryCuda = workerData.provider === 'cuda' || (workerData.provider === 'auto' && cudaInstalled());

async function session(modelPath) {
  let s = sessions.get(modelPath);
  if (!s) {
    s = (async () => {
      const common = { intraOpNumThreads: workerData.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
      if (tryCuda) {
        try {
          const cuda = await ort.InferenceSession.create(modelPath, { ...common, executionProviders: ['cuda', 'cpu'] });
          return { session: cuda, provider: 'cuda' };
        } catch (err) {
          if (workerData.provider === 'cuda') throw new Error('CUDA execution provider unavailable: ' + err.message);
        }
      }
      return { session: await ort.InferenceSession.create(modelPath, { ...common, executionProviders: ['cpu'] }), provider: 'cpu' };
    })();
    sessions.set(modelPath, s);
    s.catch(() => sessions.delete(modelPath));
  }
  return s;
}

parentPort.on('message', async (msg) => {
  if (msg.close) {
    // Release the native sessions, then end this thread from inside (see OnnxPool.close).
    for (const s of sessions.values()) {
      try { await (await s).session.release(); } catch {}
    }
    process.exit(0);
  }
  try {
    const { session: s, provider } = await session(msg.modelPath);
    const feeds = {};
    for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor(t.type || 'float32', t.data, t.dims);
    const started = process.hrtime.bigint();
    const out = await s.run(feeds);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const result = {};
    for (const [name, t] of Object.entries(out)) result[name] = { data: t.data, dims: t.dims.map(Number) };
    parentPort.postMessage({ id: msg.id, ok: true, outputs: result, provider, ms });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, error: String(err && err.message || err) });
  }
});
`;
