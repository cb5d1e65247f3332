import type { ConsumeOptions, ConsumerHandle, Delivery, Handler, JobQueue, PublishResult } from './job-queue';

interface Pending {
  topic: string;
  data: unknown;
  msgId: string;
  deliveryCount: number;
}

const DEDUP_WINDOW_MS = 10 * 60_000;

/**
 * The embedded queue: same contract as JetStream (msgId dedup, redelivery with delay, bounded
 * deliveries) inside the process. Messages live in memory; after a restart the job table is the
 * source of truth and pending jobs are published again (see queue/job-recovery.ts).
 */
export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private readonly ready: Pending[] = [];
  private readonly seen = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private consumer?: { options: ConsumeOptions; handler: Handler; inFlight: Set<Promise<void>>; stopped: boolean };
  private handle?: ConsumerHandle;
  private closed = false;

  publish(topic: string, data: unknown, msgId: string): Promise<PublishResult> {
    if (this.closed) return Promise.reject(new Error('queue closed'));
    const now = Date.now();
    for (const [id, at] of this.seen) if (now - at > DEDUP_WINDOW_MS) this.seen.delete(id);
    if (this.seen.has(msgId)) return Promise.resolve({ duplicate: true });
    this.seen.set(msgId, now);
    this.ready.push({ topic, data, msgId, deliveryCount: 0 });
    this.pump();
    return Promise.resolve({ duplicate: false });
  }

  consume(options: ConsumeOptions, handler: Handler): Promise<ConsumerHandle> {
    if (this.consumer && !this.consumer.stopped) return Promise.reject(new Error('already consuming'));
    const consumer = { options, handler, inFlight: new Set<Promise<void>>(), stopped: false };
    this.consumer = consumer;
    this.handle = {
      stop: async () => {
        consumer.stopped = true;
        await Promise.allSettled([...consumer.inFlight]);
      },
    };
    this.pump();
    return Promise.resolve(this.handle);
  }

  ping(): Promise<void> {
    return this.closed ? Promise.reject(new Error('queue closed')) : Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.handle) await this.handle.stop();
  }

  /** Messages waiting for a consumer (tests and /metrics read this). */
  get depth(): number {
    return this.ready.length;
  }

  private pump(): void {
    const c = this.consumer;
    if (!c || c.stopped || this.closed) return;
    while (c.inFlight.size < c.options.concurrency && this.ready.length > 0) {
      const msg = this.ready.shift()!;
      msg.deliveryCount += 1;
      const run = this.deliver(c.handler, c.options, msg).finally(() => {
        c.inFlight.delete(run);
        this.pump();
      });
      c.inFlight.add(run);
    }
  }

  private async deliver(handler: Handler, options: ConsumeOptions, msg: Pending): Promise<void> {
    const delivery: Delivery = {
      topic: msg.topic,
      data: msg.data,
      msgId: msg.msgId,
      deliveryCount: msg.deliveryCount,
      working: () => undefined,
    };
    let outcome;
    try {
      outcome = await handler(delivery);
    } catch (err) {
      outcome = { type: 'retry' as const, delayMs: 1000, reason: (err as Error).message };
    }
    if (outcome.type === 'retry' && msg.deliveryCount < options.maxDeliver) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.ready.push(msg);
        this.pump();
      }, outcome.delayMs);
      timer.unref();
      this.timers.add(timer);
    }
  }
}
