/**
 * The job-queue seam: NATS JetStream in production, an in-process queue when embedded. Both give
 * at-least-once delivery with msgId dedup; handlers must be idempotent.
 */
export interface Delivery {
  readonly topic: string;
  readonly data: unknown;
  readonly msgId: string;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  /** Tells the queue the handler is still busy, so the message is not redelivered meanwhile. */
  working(): void;
}

export type Outcome =
  | { type: 'ack' }
  /** Transient fault: deliver again after delayMs (until maxDeliver). */
  | { type: 'retry'; delayMs: number; reason: string }
  /** Permanent fault: never deliver again. */
  | { type: 'term'; reason: string };

export type Handler = (delivery: Delivery) => Promise<Outcome>;

export interface ConsumeOptions {
  /**
   * The one topic this consumer takes. Each topic has its own consumer, so a backlog of one kind
   * (a catalog re-embed: millions of embed-track jobs) never delays another (new videos).
   */
  topic: string;
  /** Most messages handled at once by this consumer. */
  concurrency: number;
  /** Deliveries after which a message is given up (the handler sees deliveryCount === maxDeliver last). */
  maxDeliver: number;
  /** How long a delivery may go without ack or working() before it is redelivered. */
  ackWaitMs: number;
  /**
   * Redelivery delay after the handler threw (it could not reach the database or another
   * dependency): doubles per delivery up to a minute, so an outage spends the delivery budget
   * slowly. The last delivery is acknowledged rather than left in the queue: the job reconciler
   * republishes its job once the outage is over. Default 5 s.
   */
  outageRetryMs?: number;
}

/** The redelivery delay after the handler threw on delivery `deliveryCount` (1-based). */
export const outageDelayMs = (baseMs = 5000, deliveryCount = 1) =>
  Math.min(60_000, baseMs * 2 ** Math.min(20, Math.max(0, deliveryCount - 1)));

export interface ConsumerHandle {
  /** Stops taking messages and waits for the ones in flight to finish. */
  stop(): Promise<void>;
}

export interface PublishResult {
  duplicate: boolean;
}

export interface JobQueue {
  readonly kind: 'nats' | 'in-process';
  publish(topic: string, data: unknown, msgId: string): Promise<PublishResult>;
  consume(options: ConsumeOptions, handler: Handler): Promise<ConsumerHandle>;
  /** Throws when the queue cannot be reached. */
  ping(): Promise<void>;
  /** Messages not yet acknowledged (waiting or being handled), per topic: the lag /metrics reports. */
  pendingByTopic(): Promise<Record<string, number>>;
  close(): Promise<void>;
}
