import { randomUUID } from 'node:crypto';
import { buildAppSchema } from '../../src/app/schema';
import type { App } from '../../src/app/start-app';
import { startApp } from '../../src/app/start-app';
import { createLogger } from '../../src/common/logger';
import { MediaFixtures } from '../helpers/media-fixtures';
import { describeMode, gql, grantUploads, MODES, TestEnv, tokenFor } from './harness';
import { ingest, modelDir, settledTracks, settledVideo } from './pipeline-helpers';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Samples of one metric from the Prometheus text format. */
function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

/** The one sample of `name` whose labels include `match`. */
function value(text: string, name: string, match: Record<string, string> = {}): number | undefined {
  const found = samples(text, name).filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(match)} matches ${found.length} samples`);
  return found[0]?.value;
}

async function scrape(app: App): Promise<string> {
  const res = await fetch(`${app.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

const SUGGEST =
  'query SuggestForMetrics($videoId: ID!) { suggestBgm(videoId: $videoId, first: 5) { suggestions { rank track { id } } } }';

describe.each(MODES)('Prometheus metrics', (mode) => {
  const run = modelDir() ? describeMode : (m: typeof mode, fn: () => void) => describe.skip(`[${m}]`, fn);
  run(mode, () => {
    const env = new TestEnv(mode);
    const media = new MediaFixtures(env.mediaRoot);
    let app: App;
    let model: string;

    // Apollo replaces the resolver of every field the first time a plugin hooks willResolveField,
    // and then calls into the hooks for every field of every answer: no plugin of the app does
    // (suggestion-metrics.ts, graphql-server.ts). Read before the app's first request.
    let suggestResolver: unknown;
    const suggestField = async () => (await buildAppSchema()).getQueryType()!.getFields().suggestBgm!;

    beforeAll(async () => {
      suggestResolver = (await suggestField()).resolve;
      app = await env.start({ MODEL_DIR: modelDir()!, RUN_JOBS: 'true', WORKER_ACK_WAIT_MS: '10000' });
      const active = (await app.repos.models.findActive())!;
      model = `${active.name}@${active.version}`;
    });
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    it('counts a real job and a real suggestBgm with non-zero latencies, inference time and coverage', async () => {
      media.generate('tone.ogg', ['-f', 'lavfi', '-i', 'sine=frequency=520:duration=40']);
      const [trackId] = await ingest(app, [{ mediaUri: 'tone.ogg', title: 'tone' }]);
      expect((await settledTracks(app, [trackId!]))[0]!.status).toBe('READY');

      const appToken = await tokenFor(app, 'app');
      media.video('clip.mp4', 6, { size: '160x120' });
      await grantUploads(app, 'app-user', 'clip.mp4');
      const reg = await gql(
        app,
        'mutation RegisterForMetrics { registerVideo(input: { mediaUri: "clip.mp4" }) { video { id } } }',
        {},
        appToken,
      );
      const videoId = reg.data!.registerVideo.video.id as string;
      expect((await settledVideo(app, videoId)).status).toBe('READY');
      const res = await gql(app, SUGGEST, { videoId }, appToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.suggestBgm.suggestions.map((s: any) => s.track.id)).toEqual([trackId]);
      expect((await suggestField()).resolve).toBe(suggestResolver);
      const missing = await gql(app, SUGGEST, { videoId: randomUUID() }, appToken);
      expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

      const text = await scrape(app);
      const op = { operation: 'SuggestForMetrics', type: 'query', result: 'success', role: 'api' };
      expect(value(text, 'bgm_graphql_request_duration_seconds_count', op)).toBe(1);
      expect(value(text, 'bgm_graphql_request_duration_seconds_sum', op)).toBeGreaterThan(0);
      expect(
        value(text, 'bgm_graphql_request_duration_seconds_count', {
          operation: 'RegisterForMetrics',
          type: 'mutation',
        }),
      ).toBe(1);
      expect(value(text, 'bgm_suggest_bgm_duration_seconds_count', { result: 'success' })).toBe(1);
      expect(value(text, 'bgm_suggest_bgm_duration_seconds_count', { result: 'error' })).toBe(1);
      expect(value(text, 'bgm_suggest_bgm_duration_seconds_sum', { result: 'success' })).toBeGreaterThan(0);
      expect(value(text, 'bgm_suggest_bgm_served_total', { model_version: model, arm: 'active' })).toBe(1);

      for (const kind of ['EMBED_TRACK', 'EMBED_VIDEO']) {
        expect(value(text, 'bgm_jobs_total', { kind, outcome: 'succeeded' })).toBe(1);
        expect(value(text, 'bgm_job_duration_seconds_sum', { kind, outcome: 'succeeded' })).toBeGreaterThan(0);
      }
      for (const branch of ['bgm', 'query']) {
        const inference = { model_version: model, branch, provider: 'cpu' };
        expect(value(text, 'bgm_inference_duration_seconds_count', inference)).toBeGreaterThan(0);
        expect(value(text, 'bgm_inference_duration_seconds_sum', inference)).toBeGreaterThan(0);
      }

      // One series per job topic, each lane's own lag (all drained here).
      const topics = [
        'embed-track',
        'embed-video',
        'evaluate-model',
        'probe-model',
        'reembed-catalog',
        'render-preview',
      ];
      expect(
        samples(text, 'bgm_queue_lag_messages')
          .map((x) => x.labels.topic)
          .sort(),
      ).toEqual(topics);
      for (const topic of topics) {
        expect(value(text, 'bgm_queue_lag_messages', { queue: app.queue.kind, topic })).toBe(0);
      }
      expect(value(text, 'bgm_outbox_unpublished_messages')).toBeGreaterThanOrEqual(0);
      expect(value(text, 'bgm_catalog_live_tracks')).toBe(1);
      expect(value(text, 'bgm_catalog_embedded_tracks', { model_version: model })).toBe(1);
      expect(value(text, 'bgm_embedding_coverage_ratio', { model_version: model })).toBe(1);
      expect(value(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(value(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    });

    it('keeps the numbers of each app apart (one registry per app, not the global one)', async () => {
      const other = new TestEnv('embedded');
      const worker = await startApp(await other.config({ RUN_JOBS: 'true' }), createLogger('silent'), 'worker');
      try {
        const text = await scrape(worker);
        expect(samples(text, 'bgm_jobs_total')).toEqual([]);
        expect(samples(text, 'bgm_graphql_request_duration_seconds_count')).toEqual([]);
        expect(
          value(text, 'bgm_queue_lag_messages', { queue: 'in-process', role: 'worker', topic: 'embed-video' }),
        ).toBe(0);
        // Catalog gauges are the API's: fifty workers need not each count the catalog.
        expect(samples(text, 'bgm_embedding_coverage_ratio')).toEqual([]);
        expect((await fetch(`${worker.url}/graphql`)).status).toBe(404);
      } finally {
        await worker.stop();
        await other.cleanup();
      }
    });
  });
});
