import {
  outageDelayMs,
  type ConsumeOptions,
  type ConsumerHandle,
  type Delivery,
  type Handler,
  type JobQueue,
  type PublishResult,
} from './job-queue';

interface Pending {
  topic: string;
  data: unknown;
  msgId: string;
  deliveryCount: number;
}

interface Consumer {
  options: ConsumeOptions;
  handler: Handler;
  inFlight: Set<Promise<void>>;
  stopped: boolean;
}

const DEDUP_WINDOW_MS = 10 * 60_000;

/**
 * The embedded queue: same contract as JetStream (msgId dedup, one consumer per topic, redelivery
 * with delay, bounded deliveries) inside the process. Messages live in memory; after a restart
 * the job table is the source of truth and pending jobs are published again (see
 * outbox.repository.ts, republishUnfinishedJobs).
 */
export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  /** Waiting messages per topic, in publish (or redelivery) order. */
  private readonly ready = new Map<string, Pending[]>();
  private readonly seen = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Messages waiting out a redelivery delay, per topic: unacknowledged, so counted as pending. */
  private readonly delayed = new Map<string, number>();
  private readonly consumers = new Map<string, Consumer>();
  private closed = false;

  publish(topic: string, data: unknown, msgId: string): Promise<PublishResult> {
    if (this.closed) return Promise.reject(new Error('queue closed'));
    const now = Date.now();
    for (const [id, at] of this.seen) if (now - at > DEDUP_WINDOW_MS) this.seen.delete(id);
    if (this.seen.has(msgId)) return Promise.resolve({ duplicate: true });
    this.seen.set(msgId, now);
    this.enqueue({ topic, data, msgId, deliveryCount: 0 });
    return Promise.resolve({ duplicate: false });
  }

  consume(options: ConsumeOptions, handler: Handler): Promise<ConsumerHandle> {
    const existing = this.consumers.get(options.topic);
    if (existing && !existing.stopped) return Promise.reject(new Error(`already consuming ${options.topic}`));
    const consumer: Consumer = { options, handler, inFlight: new Set(), stopped: false };
    this.consumers.set(options.topic, consumer);
    this.pump(options.topic);
    return Promise.resolve({
      stop: async () => {
        consumer.stopped = true;
        await Promise.allSettled([...consumer.inFlight]);
      },
    });
  }

  ping(): Promise<void> {
    return this.closed ? Promise.reject(new Error('queue closed')) : Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.consumers.values()) c.stopped = true;
    await Promise.allSettled([...this.consumers.values()].flatMap((c) => [...c.inFlight]));
  }

  pendingByTopic(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [topic, q] of this.ready) out[topic] = q.length;
    for (const [topic, c] of this.consumers) out[topic] = (out[topic] ?? 0) + c.inFlight.size;
    for (const [topic, n] of this.delayed) out[topic] = (out[topic] ?? 0) + n;
    return Promise.resolve(out);
  }

  private enqueue(msg: Pending): void {
    const queue = this.ready.get(msg.topic) ?? [];
    queue.push(msg);
    this.ready.set(msg.topic, queue);
    this.pump(msg.topic);
  }

  private pump(topic: string): void {
    const c = this.consumers.get(topic);
    const queue = this.ready.get(topic);
    if (!c || c.stopped || this.closed || !queue) return;
    while (c.inFlight.size < c.options.concurrency && queue.length > 0) {
      const msg = queue.shift()!;
      msg.deliveryCount += 1;
      const run = this.deliver(c, msg).finally(() => {
        c.inFlight.delete(run);
        this.pump(topic);
      });
      c.inFlight.add(run);
    }
  }

  private async deliver(c: Consumer, msg: Pending): Promise<void> {
    const delivery: Delivery = {
      topic: msg.topic,
      data: msg.data,
      msgId: msg.msgId,
      deliveryCount: msg.deliveryCount,
      working: () => undefined,
    };
    let outcome;
    try {
      outcome = await c.handler(delivery);
    } catch (err) {
      const delayMs = outageDelayMs(c.options.outageRetryMs, msg.deliveryCount);
      outcome = { type: 'retry' as const, delayMs, reason: (err as Error).message };
    }
    if (outcome.type === 'retry' && msg.deliveryCount < c.options.maxDeliver) {
      this.delayed.set(msg.topic, (this.delayed.get(msg.topic) ?? 0) + 1);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.delayed.set(msg.topic, this.delayed.get(msg.topic)! - 1);
        this.enqueue(msg);
      }, outcome.delayMs);
      timer.unref();
      this.timers.add(timer);
    }
  }
}
