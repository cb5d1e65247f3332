import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { failedPrecondition, notFound } from '../../../src/common/errors';
import { createLogger } from '../../../src/common/logger';
import type { PreviewRenderRecord } from '../../../src/db/prisma-types';
import { mountRaterRoutes } from '../../../src/http/rater/rater-routes';

type Render = Pick<PreviewRenderRecord, 'status' | 'error' | 'mediaUri'>;

/** The rater route over fakes: a link check, a task's side, the render the job path holds for it. */
async function serve(render: () => Promise<Render>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rater-route-'));
  fs.writeFileSync(path.join(dir, 'r.mp4'), Buffer.from('not really an mp4, but bytes'));
  const asked: unknown[] = [];
  const app = express();
  mountRaterRoutes(
    app,
    {
      links: { verify: (_task, _side, _exp, sig) => sig === 'good' },
      previews: {
        previewSource: (taskId, side) =>
          Promise.resolve({ videoId: `v-${taskId}`, trackId: `t-${side}`, startSec: 12 }),
      },
      renders: {
        raterPreview: (source) => {
          asked.push(source);
          return render() as Promise<PreviewRenderRecord>;
        },
      },
      storage: { withLocalFile: (_uri, fn) => fn(path.join(dir, 'r.mp4')) },
    },
    createLogger('silent'),
  );
  const server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    asked,
    get: (query: string) => fetch(`${base}/rater/preview/task1/A?exp=9999999999&${query}`),
    close: () => {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('rater preview route (the job path)', () => {
  it('asks for the render of the side it names, answers its status to a probe, and streams it once READY', async () => {
    let status: Render['status'] = 'PENDING';
    const route = await serve(() =>
      Promise.resolve({
        status,
        error: null,
        mediaUri: status === 'READY' ? 'media://previews/v/renders/r.mp4' : null,
      }),
    );
    try {
      const probe = await route.get('sig=good&probe=1');
      expect(probe.status).toBe(200);
      expect(probe.headers.get('cache-control')).toBe('no-store');
      expect(await probe.json()).toEqual({ status: 'PENDING', error: null });
      expect(route.asked).toEqual([{ videoId: 'v-task1', trackId: 't-A', startSec: 12 }]);

      const early = await route.get('sig=good');
      expect(early.status).toBe(503);
      expect(early.headers.get('retry-after')).toBe('1');

      status = 'READY';
      const ready = await route.get('sig=good');
      expect(ready.status).toBe(200);
      expect(ready.headers.get('content-type')).toBe('video/mp4');
      expect(await ready.text()).toBe('not really an mp4, but bytes');
      const range = await fetch(ready.url, { headers: { range: 'bytes=0-2' } });
      expect(range.status).toBe(206);
      expect(await range.text()).toBe('not');
    } finally {
      route.close();
    }
  });

  it('answers a failed render with its reason, a bad signature with 403, and domain errors with their status', async () => {
    const outcomes: (() => Promise<Render>)[] = [
      () => Promise.resolve({ status: 'FAILED', error: 'SILENT_AUDIO: nothing above the gate', mediaUri: null }),
      () => Promise.reject(notFound('Licensed READY track', 't-A')),
      () => Promise.reject(failedPrecondition('Video v is not READY')),
    ];
    let next = 0;
    const route = await serve(() => outcomes[next++]!());
    try {
      expect((await route.get('sig=forged')).status).toBe(403);
      expect(route.asked).toEqual([]);
      const failed = await route.get('sig=good');
      expect(failed.status).toBe(500);
      expect(((await failed.json()) as { error: string }).error).toMatch(/SILENT_AUDIO/);
      expect((await route.get('sig=good')).status).toBe(404);
      expect((await route.get('sig=good')).status).toBe(409);
    } finally {
      route.close();
    }
  });
});
