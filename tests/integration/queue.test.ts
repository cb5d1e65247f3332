import { createLogger } from '../../src/common/logger';
import { InProcessQueue } from '../../src/queue/in-process.queue';
import type { Delivery, JobQueue, Outcome } from '../../src/queue/job-queue';
import { NatsQueue } from '../../src/queue/nats.queue';
import { describeMode, MODES, type ModeName, TestEnv } from './harness';
import { waitFor } from './pipeline-helpers';
import { TEST_NATS_URL } from './services-probe';

async function openQueue(mode: ModeName, id: string): Promise<JobQueue> {
  if (mode === 'embedded') return new InProcessQueue();
  return NatsQueue.connect({ servers: [TEST_NATS_URL], stream: `BGM_QT_${id}`, subjectPrefix: `bgm-qt-${id}` }, createLogger('silent'));
}

/** Polls a synchronous condition with the suite's shared waiter. */
const until = (cond: () => boolean, ms = 10_000) => waitFor(() => Promise.resolve(cond() ? true : undefined), 'condition', ms);

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
      const consumer = await queue.consume({ concurrency: 2, maxDeliver: 4, ackWaitMs: 5_000 }, (d) => {
        seen.push(d);
        return Promise.resolve(plan[(d.data as { name: string }).name]!(d));
      });
      try {
        expect(await queue.publish('t', { name: 'ok' }, 'm-ok')).toEqual({ duplicate: false });
        expect(await queue.publish('t', { name: 'ok' }, 'm-ok')).toEqual({ duplicate: true });
        await queue.publish('t', { name: 'poison' }, 'm-poison');
        await queue.publish('t', { name: 'flaky' }, 'm-flaky');
        await queue.publish('t', { name: 'doomed' }, 'm-doomed');
        await until(() => seen.filter((d) => d.msgId === 'm-doomed').length === 4 && seen.some((d) => d.msgId === 'm-flaky' && d.deliveryCount === 3));
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
      const consumer = await queue.consume({ concurrency: 1, maxDeliver: 2, ackWaitMs: 5_000 }, (d) => {
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
  });
});
