// Child of onnx-pool-close.test.ts: starts an inference pool, closes it after argv[2] ms, and
// exits 0 only if the process survived the close.
import { OnnxPool } from '../../../src/inference/onnx-pool';
import { createLogger } from '../../../src/common/logger';

const delayMs = Number(process.argv[process.argv.length - 1]);
void (async () => {
  const pool = new OnnxPool(2, { provider: 'cpu', threadsPerSession: 1 }, createLogger('silent'));
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  await pool.close();
  process.stdout.write('closed\n');
})();
