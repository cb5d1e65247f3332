import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  JetStreamApiError,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { Logger } from '../../common/logger';
import {
  outageDelayMs,
  type ConsumeOptions,
  type ConsumerHandle,
  type Delivery,
  type Handler,
  type JobQueue,
  type PublishResult,
} from './job-queue';

export interface NatsQueueOptions {
  servers: string[];
  stream: string;
  /** Topics are published as `<subjectPrefix>.<topic>`; the stream captures `<subjectPrefix>.>`. */
  subjectPrefix: string;
  /**
   * Prefix of the durable consumers, one per topic (`<durable>-<topic>`), each shared by every
   * worker process (they split that topic's work).
   */
  durable?: string;
  /** Window in which a repeated msgId is dropped by the server. */
  duplicateWindowMs?: number;
  /** Copies of the stream across a NATS cluster (a stream created or updated here gets this many). */
  replicas?: number;
}

const JSON_CODEC = {
  encode: (v: unknown) => Buffer.from(JSON.stringify(v)),
  decode: (b: Uint8Array) => JSON.parse(Buffer.from(b).toString('utf8')) as unknown,
};

/** The durable consumer of one topic, shared by every worker (KEDA scales on its lag). */
export const consumerName = (durable: string, topic: string) => `${durable}-${topic}`;

/** The default durable prefix for a stream. */
export const defaultDurable = (stream: string) => `${stream}-workers`;

/** JetStream work-queue stream; workers pull from one durable consumer per topic, with explicit acks. */
export class NatsQueue implements JobQueue {
  readonly kind = 'nats' as const;
  private legacyDropped?: Promise<void>;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly options: Required<NatsQueueOptions>,
    private readonly logger: Logger,
  ) {}

  static async connect(options: NatsQueueOptions, logger: Logger): Promise<NatsQueue> {
    const full: Required<NatsQueueOptions> = {
      durable: defaultDurable(options.stream),
      duplicateWindowMs: 10 * 60_000,
      replicas: 1,
      ...options,
    };
    const nc = await connect({ servers: full.servers, name: 'bgm-backend', maxReconnectAttempts: -1 });
    const jsm = await jetstreamManager(nc);
    const queue = new NatsQueue(nc, jetstream(nc), jsm, full, logger);
    try {
      await queue.ensureStream();
    } catch (err) {
      await nc.close(); // or it reconnects forever and keeps the process alive
      throw err;
    }
    return queue;
  }

  /** Creates the stream, or updates it to this config; safe when many processes start at once. */
  private async ensureStream(): Promise<void> {
    const config = {
      name: this.options.stream,
      subjects: [`${this.options.subjectPrefix}.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: nanos(this.options.duplicateWindowMs),
      num_replicas: this.options.replicas,
    };
    try {
      await this.jsm.streams.info(this.options.stream);
      await this.jsm.streams.update(this.options.stream, {
        subjects: config.subjects,
        duplicate_window: config.duplicate_window,
        num_replicas: config.num_replicas,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.jsm.streams.add(config);
      } catch (addErr) {
        // Another process created it between our info and add.
        await this.jsm.streams.info(this.options.stream).catch(() => {
          throw addErr;
        });
      }
    }
  }

  async publish(topic: string, data: unknown, msgId: string): Promise<PublishResult> {
    const ack = await this.js.publish(`${this.options.subjectPrefix}.${topic}`, JSON_CODEC.encode(data), {
      msgID: msgId,
    });
    return { duplicate: ack.duplicate };
  }

  async consume(options: ConsumeOptions, handler: Handler): Promise<ConsumerHandle> {
    const { stream } = this.options;
    const durable = consumerName(this.options.durable, options.topic);
    // Once per process, before its first consumer (a worker opens one per job kind).
    this.legacyDropped ??= this.dropLegacyConsumer();
    await this.legacyDropped;
    const consumerConfig = {
      durable_name: durable,
      filter_subject: `${this.options.subjectPrefix}.${options.topic}`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: options.maxDeliver,
      ack_wait: nanos(options.ackWaitMs),
      max_ack_pending: Math.max(options.concurrency * 4, 64),
    };
    try {
      await this.jsm.consumers.update(stream, durable, {
        max_deliver: consumerConfig.max_deliver,
        ack_wait: consumerConfig.ack_wait,
        max_ack_pending: consumerConfig.max_ack_pending,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.jsm.consumers.add(stream, consumerConfig).catch(async (addErr: unknown) => {
        // Another worker created it between our update and add.
        await this.jsm.consumers.info(stream, durable).catch(() => {
          throw addErr;
        });
      });
    }
    const consumer = await this.js.consumers.get(stream, durable);
    const messages = await consumer.consume({ max_messages: options.concurrency });
    const loop = this.runLoop(messages, options, handler);
    return {
      stop: async () => {
        // close() stops pulling; the loop then finishes the messages it already holds.
        await messages.close();
        await loop;
      },
    };
  }

  /**
   * Before consumers were per topic, one unfiltered durable (named like the prefix) took every
   * subject. A work-queue stream refuses filtered consumers next to it, so it is deleted; its
   * unacknowledged messages stay in the stream and go to the per-topic consumers.
   */
  private async dropLegacyConsumer(): Promise<void> {
    try {
      await this.jsm.consumers.delete(this.options.stream, this.options.durable);
      this.logger.warn(
        { consumer: this.options.durable },
        'deleted the legacy all-topics consumer; its messages go to the per-topic consumers',
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async runLoop(messages: ConsumerMessages, options: ConsumeOptions, handler: Handler): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    void this.watchStatus(messages);
    for await (const msg of messages) {
      const run = this.handle(msg, options, handler).finally(() => inFlight.delete(run));
      inFlight.add(run);
      if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    }
    await Promise.allSettled([...inFlight]);
  }

  private async handle(msg: JsMsg, options: ConsumeOptions, handler: Handler): Promise<void> {
    let data: unknown;
    try {
      data = JSON_CODEC.decode(msg.data);
    } catch {
      this.logger.error({ subject: msg.subject, seq: msg.seq }, 'undecodable job message terminated');
      msg.term('undecodable payload');
      return;
    }
    const delivery: Delivery = {
      topic: msg.subject.slice(this.options.subjectPrefix.length + 1),
      data,
      msgId: msg.headers?.get('Nats-Msg-Id') ?? `seq-${msg.seq}`,
      deliveryCount: msg.info.deliveryCount,
      working: () => msg.working(),
    };
    // After max_deliver the server delivers a message no more but keeps it in the stream (lag
    // forever, and NATS 2.9 keeps a terminated one too): the last delivery of a message that would
    // be retried is acknowledged instead, and the job reconciler takes its job over.
    const last = delivery.deliveryCount >= options.maxDeliver;
    try {
      const outcome = await handler(delivery);
      switch (outcome.type) {
        case 'ack':
          await msg.ackAck();
          break;
        case 'retry':
          if (last) await msg.ackAck();
          else msg.nak(outcome.delayMs);
          break;
        case 'term':
          msg.term(outcome.reason.slice(0, 200));
          break;
      }
    } catch (err) {
      const delayMs = outageDelayMs(options.outageRetryMs, delivery.deliveryCount);
      this.logger.error(
        { err, subject: msg.subject, delivery: delivery.deliveryCount, delayMs: last ? undefined : delayMs },
        last
          ? 'job handler threw on the last delivery; the reconciler republishes it'
          : 'job handler threw; will be redelivered',
      );
      if (last)
        await msg.ackAck().catch(() => undefined); // not acknowledged: exhausted anyway
      else msg.nak(delayMs);
    }
  }

  private async watchStatus(messages: ConsumerMessages): Promise<void> {
    for await (const s of messages.status()) {
      if (s.type === 'heartbeats_missed' || s.type === 'consumer_not_found' || s.type === 'stream_not_found') {
        this.logger.warn({ status: s }, 'jetstream consumer status');
      }
    }
  }

  async ping(): Promise<void> {
    if (this.nc.isClosed()) throw new Error('nats connection closed');
    await this.nc.flush();
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }

  /** A work-queue stream keeps a message until its consumer acknowledges it: its subject counts are the lag. */
  async pendingByTopic(): Promise<Record<string, number>> {
    const prefix = `${this.options.subjectPrefix}.`;
    const info = await this.jsm.streams.info(this.options.stream, { subjects_filter: `${prefix}>` });
    const out: Record<string, number> = {};
    for (const [subject, n] of Object.entries(info.state.subjects ?? {})) out[subject.slice(prefix.length)] = n;
    return out;
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 404 || /not found/i.test(err.message));
}
