import { randomBytes } from 'node:crypto';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createLogger } from '../../src/common/logger';
import { InProcessQueue } from '../../src/jobs/queue/in-process.queue';
import type { Delivery, JobQueue, Outcome } from '../../src/jobs/queue/job-queue';
import { consumerName, NatsQueue } from '../../src/jobs/queue/nats.queue';
import { describeMode, MODES, type ModeName, TestEnv } from './harness';
import { waitFor } from './pipeline-helpers';
import { TEST_NATS_URL } from './services-probe';

async function openQueue(mode: ModeName, id: string): Promise<JobQueue> {
  if (mode === 'embedded') return new InProcessQueue();
  return NatsQueue.connect(
    { servers: [TEST_NATS_URL], stream: `BGM_QT_${id}`, subjectPrefix: `bgm-qt-${id}` },
    createLogger('silent'),
  );
}

/** Polls a synchronous condition with the suite's shared waiter. */
const until = (cond: () => boolean, ms = 10_000) =>
  waitFor(() => Promise.resolve(cond() ? true : undefined), 'condition', ms);

describe.each(MODES)('job queue contract', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    afterAll(() => env.cleanup());

    it('delivers once per msgId, retries transient faults, never redelivers a terminated message', async () => {
      const queue = await openQueue(mode, `${env.id}a`);
      const seen: Delivery[] = [];
      const plan: Record<string, (d: Delivery) => Outcome> = {
        ok: () => ({ type: 'ack' }),
        flaky: (d) => (d.deliveryCount < 3 ? { type: 'retry', delayMs: 50, reason: 'transient' } : { type: 'ack' }),
        poison: () => ({ type: 'term', reason: 'corrupt media' }),
        doomed: () => ({ type: 'retry', delayMs: 50, reason: 'always fails' }),
      };
      const consumer = await queue.consume({ topic: 't', concurrency: 2, maxDeliver: 4, ackWaitMs: 5_000 }, (d) => {
        seen.push(d);
        return Promise.resolve(plan[(d.data as { name: string }).name]!(d));
      });
      try {
        expect(await queue.publish('t', { name: 'ok' }, 'm-ok')).toEqual({ duplicate: false });
        expect(await queue.publish('t', { name: 'ok' }, 'm-ok')).toEqual({ duplicate: true });
        await queue.publish('t', { name: 'poison' }, 'm-poison');
        await queue.publish('t', { name: 'flaky' }, 'm-flaky');
        await queue.publish('t', { name: 'doomed' }, 'm-doomed');
        await until(
          () =>
            seen.filter((d) => d.msgId === 'm-doomed').length === 4 &&
            seen.some((d) => d.msgId === 'm-flaky' && d.deliveryCount === 3),
        );
        await new Promise((r) => setTimeout(r, 400));
        const count = (id: string) => seen.filter((d) => d.msgId === id).length;
        expect(count('m-ok')).toBe(1);
        expect(count('m-poison')).toBe(1);
        expect(count('m-flaky')).toBe(3);
        expect(count('m-doomed')).toBe(4);
        expect(seen.every((d) => d.topic === 't')).toBe(true);
      } finally {
        await consumer.stop();
        await queue.close();
      }
    });

    it('lets a poisoned message fail alone while the others flow', async () => {
      const queue = await openQueue(mode, `${env.id}b`);
      const done: string[] = [];
      const consumer = await queue.consume({ topic: 't', concurrency: 1, maxDeliver: 2, ackWaitMs: 5_000 }, (d) => {
        const name = (d.data as { name: string }).name;
        if (name === 'poison') throw new Error('handler crashed');
        done.push(name);
        return Promise.resolve({ type: 'ack' });
      });
      try {
        await queue.publish('t', { name: 'poison' }, 'p');
        for (let i = 0; i < 5; i++) await queue.publish('t', { name: `ok${i}` }, `ok${i}`);
        await until(() => done.length === 5);
        expect(done.sort()).toEqual(['ok0', 'ok1', 'ok2', 'ok3', 'ok4']);
      } finally {
        await consumer.stop();
        await queue.close();
      }
    });

    it('gives each topic its own consumer: a backlog on one never delays another', async () => {
      const queue = await openQueue(mode, `${env.id}c`);
      const order: string[] = [];
      let release!: () => void;
      const blocked = new Promise<void>((r) => (release = r));
      // The bulk consumer is stuck on its first message with 30 more behind it.
      const bulk = await queue.consume(
        { topic: 'bulk', concurrency: 1, maxDeliver: 2, ackWaitMs: 5_000 },
        async (d) => {
          order.push(d.msgId);
          if (d.msgId === 'b0') await blocked;
          return { type: 'ack' };
        },
      );
      const urgent = await queue.consume({ topic: 'urgent', concurrency: 1, maxDeliver: 2, ackWaitMs: 5_000 }, (d) => {
        order.push(d.msgId);
        return Promise.resolve({ type: 'ack' as const });
      });
      try {
        for (let i = 0; i < 30; i++) await queue.publish('bulk', { i }, `b${i}`);
        await until(() => order.includes('b0'));
        // The lag is reported per topic: the bulk lane holds all 30 (one in hand), the urgent one none.
        const lag = await queue.pendingByTopic();
        expect(lag).toMatchObject({ bulk: 30 });
        expect(lag.urgent ?? 0).toBe(0);
        await queue.publish('urgent', {}, 'u');
        await until(() => order.includes('u'));
        expect(order).toEqual(['b0', 'u']);
        release();
        await until(() => order.length === 31);
        expect(order.filter((id) => id.startsWith('b'))).toEqual(Array.from({ length: 30 }, (_, i) => `b${i}`));
      } finally {
        release();
        await Promise.all([bulk.stop(), urgent.stop()]);
        await queue.close();
      }
    });
  });
});

describe('job queue upgrade', () => {
  describeMode('postgres+nats', () => {
    it('creates the stream with the configured replicas, and a server that cannot hold them says so', async () => {
      const id = randomBytes(4).toString('hex');
      const queue = await NatsQueue.connect(
        { servers: [TEST_NATS_URL], stream: `BGM_QR_${id}`, subjectPrefix: `bgm-qr-${id}` },
        createLogger('silent'),
      );
      const nc = await connect({ servers: TEST_NATS_URL });
      try {
        const jsm = await jetstreamManager(nc);
        expect((await jsm.streams.info(`BGM_QR_${id}`)).config.num_replicas).toBe(1);
        // The CI server is a single node: three replicas cannot be placed, and start-up fails loudly.
        await expect(
          NatsQueue.connect(
            { servers: [TEST_NATS_URL], stream: `BGM_QR3_${id}`, subjectPrefix: `bgm-qr3-${id}`, replicas: 3 },
            createLogger('silent'),
          ),
        ).rejects.toThrow(/replica|cluster/i);
        await jsm.streams.delete(`BGM_QR_${id}`);
      } finally {
        await queue.close();
        await nc.close();
      }
    });

    it('replaces the legacy all-topics consumer; the messages it held reach the per-topic consumers', async () => {
      const id = randomBytes(4).toString('hex');
      const stream = `BGM_QU_${id}`;
      const prefix = `bgm-qu-${id}`;
      const nc = await connect({ servers: TEST_NATS_URL });
      const jsm = await jetstreamManager(nc);
      try {
        // The layout before per-topic consumers: one unfiltered durable with a message waiting.
        await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], retention: RetentionPolicy.Workqueue });
        await jsm.consumers.add(stream, { durable_name: `${stream}-workers`, ack_policy: AckPolicy.Explicit });
        await jetstream(nc).publish(`${prefix}.embed-track`, new TextEncoder().encode(JSON.stringify({ n: 1 })), {
          msgID: 'old-1',
        });

        const queue = await NatsQueue.connect(
          { servers: [TEST_NATS_URL], stream, subjectPrefix: prefix },
          createLogger('silent'),
        );
        const got: string[] = [];
        const consumer = await queue.consume(
          { topic: 'embed-track', concurrency: 1, maxDeliver: 2, ackWaitMs: 5_000 },
          (d) => {
            got.push(d.msgId);
            return Promise.resolve({ type: 'ack' as const });
          },
        );
        try {
          await until(() => got.length === 1);
          expect(got).toEqual(['old-1']);
          const names = (await jsm.consumers.list(stream).next()).map((c) => c.name);
          expect(names).toEqual([consumerName(`${stream}-workers`, 'embed-track')]);
        } finally {
          await consumer.stop();
          await queue.close();
        }
      } finally {
        await jsm.streams.delete(stream).catch(() => undefined);
        await nc.close();
      }
    });
  });
});
