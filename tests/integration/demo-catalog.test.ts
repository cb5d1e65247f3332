import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../../src/app/start-app';
import type { DemoManifest } from '../../src/common/demo-manifest';
import { projectRoot } from '../../src/common/paths';
import { gql, TestEnv } from './harness';
import { settledTracks, settledVideo } from './pipeline-helpers';

/**
 * A newcomer's first start: the demo catalog is there, gives suggestions within a minute, and
 * the suggestions follow each demo video's voice-over.
 */
// The bundled model, as `npm start` serves it (not the untrained test export of global-setup.ts);
// DEMO_MODEL_DIR measures a candidate for the default on the same demo before it is shipped.
const BUNDLED_MODEL = process.env.DEMO_MODEL_DIR ?? path.join(projectRoot(), 'models', 'default');

describe('demo catalog [embedded]', () => {
  const env = new TestEnv('embedded');
  let app: App;
  afterAll(async () => {
    await app?.stop();
    await env.cleanup();
  });

  it('loads licensed, attributed demo tracks and demo videos into an empty catalog, once', async () => {
    const started = Date.now();
    app = await env.start({ DEMO_CATALOG: 'true', MODEL_DIR: BUNDLED_MODEL, RUN_JOBS: 'true' });
    const tracks = await app.db.prisma.track.findMany({ include: { licenses: true } });
    expect(tracks.length).toBeGreaterThanOrEqual(5);
    expect(tracks.every((t) => t.licenses[0]?.attribution && /licensed under/.test(t.licenses[0].attribution))).toBe(
      true,
    );
    await settledTracks(
      app,
      tracks.map((t) => t.id),
    );
    const videos = await app.db.prisma.video.findMany({ where: { ownerId: 'demo' } });
    expect(videos.length).toBeGreaterThan(0);
    const video = await settledVideo(app, videos[0]!.id);
    expect(video.status).toBe('READY');
    const token = await app.authenticator.sign('demo', ['app']);
    const res = await gql(
      app,
      `{ suggestBgm(videoId: "${video.id}", first: 3) { suggestions { track { title } license { attribution } } } }`,
      {},
      token,
    );
    expect(res.data!.suggestBgm.suggestions).toHaveLength(3);
    process.stderr.write(`demo: first suggestions ${((Date.now() - started) / 1000).toFixed(1)} s after start\n`);
    expect(Date.now() - started).toBeLessThan(60_000);

    // The demo's point: suggestions follow the voice-over. Each demo video was made to go with one
    // track (held-out music the bundled model never trained on). Measured with the shipped model
    // (docs/RESULTS.md, round 27), the own tracks rank 2, 1, 1 and 1 of 8: every one in its top 3,
    // the goal (a shuffle does that with p = 0.0039).
    const demo = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'demo', 'manifest.json'), 'utf8')) as DemoManifest;
    expect(videos).toHaveLength(demo.videos.length);
    const ranks: number[] = [];
    for (const v of demo.videos) {
      const row = videos.find((r) => r.mediaUri === `media://demo/${v.file}`)!;
      expect((await settledVideo(app, row.id)).status).toBe('READY');
      const r = await gql(
        app,
        `{ suggestBgm(videoId: "${row.id}", first: ${tracks.length}) { suggestions { track { title } } } }`,
        {},
        token,
      );
      const titles = (r.data!.suggestBgm.suggestions as { track: { title: string } }[]).map((x) => x.track.title);
      ranks.push(titles.indexOf(v.musicTitle) + 1);
    }
    process.stderr.write(`demo: rank of each video's own track among ${tracks.length}: ${ranks.join(', ')}\n`);
    expect(ranks.every((rank) => rank >= 1)).toBe(true);
    expect(ranks.every((rank) => rank <= 3)).toBe(true);
    // The model's catalog pass (manifest catalogTypicality) gave every demo track its offset,
    // standardised over the whole catalog: they sum to 0.
    const model = await app.db.prisma.modelVersion.findFirstOrThrow({ where: { active: true } });
    if ((model.manifest as { catalogTypicality?: unknown }).catalogTypicality) {
      const offsets = await app.db.prisma.trackEmbedding.findMany({ where: { modelVersionId: model.id } });
      expect(offsets).toHaveLength(tracks.length);
      expect(offsets.every((o) => o.scoreOffset !== 0)).toBe(true);
      expect(offsets.reduce((sum, o) => sum + o.scoreOffset, 0)).toBeCloseTo(0, 9);
    }

    await app.stop();
    app = await env.start({ DEMO_CATALOG: 'true', MODEL_DIR: BUNDLED_MODEL });
    expect(await app.db.prisma.track.count()).toBe(tracks.length);
    // The minute above is the product's promise; the test also ranks every demo video and restarts.
  }, 180_000);
});
