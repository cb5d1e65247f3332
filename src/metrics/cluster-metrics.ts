import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * /metrics on a host whose API runs as several processes (API_PROCESSES, api-cluster.ts): a scrape
 * reaches one process, picked by the cluster, so each process asks the primary, and the primary
 * collects every process's registry and sums them (prom-client's AggregatorRegistry). The totals
 * are the host's whatever process answered; gauges read from the database say which aggregation
 * they need (AppMetrics.scrapeGauge: the largest, not the sum of N equal readings).
 */
const REQUEST = 'bgm:cluster-metrics-request';
const RESPONSE = 'bgm:cluster-metrics-response';
/** Longer than prom-client's own 5 s wait for the processes, so its error is the one reported. */
const ANSWER_TIMEOUT_MS = 6000;

interface Answer {
  type: typeof RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

/** In the primary: answers the processes' requests with the host's aggregated metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, msg: { type?: string; id?: number }) => {
    if (msg?.type !== REQUEST || typeof msg.id !== 'number') return;
    const id = msg.id;
    const reply = (a: Omit<Answer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id, ...a } satisfies Answer);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (err: unknown) => reply({ error: (err as Error).message }),
    );
  });
}

/**
 * In a cluster process, first thing: answer the primary's collection requests (with nothing until
 * clusterMetricsReader names the registry). The primary asks every process it has forked, and one
 * still starting (migrations, the model) would otherwise never answer: every scrape in its first
 * seconds, on any process, failed after prom-client's 5 s wait.
 */
export function answerClusterMetricsFromStart(): void {
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([]);
}

let nextId = 0;

/** In a cluster process: lets the primary read `registry`, and returns how to ask for the host's metrics. */
export function clusterMetricsReader(registry: Registry): () => Promise<string> {
  // Constructing one installs prom-client's answer to the primary's collection requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const onMessage = (msg: Answer) => {
        if (msg?.type !== RESPONSE || msg.id !== id) return;
        done();
        if (msg.error !== undefined) reject(new Error(`cluster metrics: ${msg.error}`));
        else resolve(msg.text ?? '');
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error('cluster metrics: the primary did not answer'));
      }, ANSWER_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        process.off('message', onMessage);
      };
      process.on('message', onMessage);
      process.send!({ type: REQUEST, id });
    });
}
