import { Worker } from 'node:worker_threads';
import type { Logger } from '../common/logger';
import { ONNX_THREAD_SOURCE } from './onnx-thread-source';

export interface Tensor {
  data: Float32Array;
  dims: number[];
}

/** An input of another element type (Silero VAD takes its sample rate as int64). */
export interface Int64Tensor {
  type: 'int64';
  data: BigInt64Array;
  dims: number[];
}

export type InferenceProvider = 'auto' | 'cpu' | 'cuda';

interface Pending {
  resolve: (r: { outputs: Record<string, Tensor>; provider: string; ms: number }) => void;
  reject: (e: Error) => void;
}

interface Thread {
  worker: Worker;
  busy: number;
  pending: Map<number, Pending>;
}

/** A fixed set of inference threads; each request goes to the least busy one. */
export class OnnxPool {
  private readonly threads: Thread[];
  private nextId = 0;
  private closed = false;

  constructor(
    size: number,
    options: { provider: InferenceProvider; threadsPerSession: number },
    private readonly logger: Logger,
  ) {
    this.threads = Array.from({ length: size }, () => this.spawn(options));
  }

  private spawn(options: { provider: InferenceProvider; threadsPerSession: number }): Thread {
    const worker = new Worker(ONNX_THREAD_SOURCE, {
      eval: true,
      workerData: { provider: options.provider, threads: options.threadsPerSession },
    });
    const thread: Thread = { worker, busy: 0, pending: new Map() };
    worker.on(
      'message',
      (msg: {
        id: number;
        ok: boolean;
        outputs?: Record<string, Tensor>;
        provider?: string;
        ms?: number;
        error?: string;
      }) => {
        const p = thread.pending.get(msg.id);
        if (!p) return;
        thread.pending.delete(msg.id);
        thread.busy -= 1;
        if (thread.busy === 0) worker.unref();
        if (msg.ok) p.resolve({ outputs: msg.outputs!, provider: msg.provider!, ms: msg.ms! });
        else p.reject(new Error(msg.error));
      },
    );
    worker.on('error', (err) => {
      this.logger.error({ err }, 'inference thread crashed');
      for (const p of thread.pending.values()) p.reject(err);
      thread.pending.clear();
      thread.busy = 0;
      if (!this.closed) {
        const i = this.threads.indexOf(thread);
        if (i >= 0) this.threads[i] = this.spawn(options);
      }
    });
    // An idle pool must not keep the process alive; a busy one must (see run()).
    worker.unref();
    return thread;
  }

  run(
    modelPath: string,
    feeds: Record<string, Tensor | Int64Tensor>,
  ): Promise<{ outputs: Record<string, Tensor>; provider: string; ms: number }> {
    if (this.closed) return Promise.reject(new Error('inference pool closed'));
    const thread = this.threads.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    thread.busy += 1;
    thread.worker.ref();
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, modelPath, feeds });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => closeThread(t.worker)));
  }
}

/** How long a thread may take to finish loading onnxruntime and exit before it is terminated. */
const THREAD_CLOSE_GRACE_MS = 10_000;

/**
 * Ends an inference thread by asking it to exit. Worker.terminate() while the thread is still
 * loading onnxruntime's native library aborts the whole process ("terminate called after throwing
 * an instance of 'Napi::Error'", SIGABRT): a worker stopped right after it started did that. The
 * thread reads the message only once its script (the require) has run, so the load finishes first.
 */
async function closeThread(worker: Worker): Promise<void> {
  if (worker.threadId < 0) return; // already exited
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.ref();
  worker.postMessage({ close: true });
  const fallback = setTimeout(() => void worker.terminate(), THREAD_CLOSE_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(fallback);
  }
}
