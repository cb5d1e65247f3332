import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../../src/app/start-app';
import type { DemoManifest } from '../../src/common/demo-manifest';
import { projectRoot } from '../../src/common/paths';
import { gql, TestEnv } from './harness';
import { modelDir, settledTracks, settledVideo } from './pipeline-helpers';

/**
 * A newcomer's first start: the demo catalog is there, gives suggestions within a minute, and
 * the suggestions follow each demo video's voice-over.
 */
(modelDir() ? describe : describe.skip)('demo catalog [embedded]', () => {
  const env = new TestEnv('embedded');
  let app: App;
  afterAll(async () => {
    await app?.stop();
    await env.cleanup();
  });

  it('loads licensed, attributed demo tracks and demo videos into an empty catalog, once', async () => {
    const started = Date.now();
    app = await env.start({ DEMO_CATALOG: 'true', MODEL_DIR: modelDir()!, RUN_JOBS: 'true' });
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
    expect(Date.now() - started).toBeLessThan(60_000);

    // The demo's point: suggestions follow the voice-over. Each demo video was made to go with one
    // track (held-out music the bundled model never trained on); that track is in its top 3.
    const demo = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'demo', 'manifest.json'), 'utf8')) as DemoManifest;
    expect(videos).toHaveLength(demo.videos.length);
    const top3 = [];
    for (const v of demo.videos) {
      const row = videos.find((r) => r.mediaUri === `media://demo/${v.file}`)!;
      expect((await settledVideo(app, row.id)).status).toBe('READY');
      const r = await gql(
        app,
        `{ suggestBgm(videoId: "${row.id}", first: 3) { suggestions { track { title } } } }`,
        {},
        token,
      );
      const titles = (r.data!.suggestBgm.suggestions as { track: { title: string } }[]).map((x) => x.track.title);
      top3.push([v.musicTitle, titles.includes(v.musicTitle) ? 'in top 3' : titles.join(' | ')]);
    }
    expect(top3).toEqual(demo.videos.map((v) => [v.musicTitle, 'in top 3']));

    await app.stop();
    app = await env.start({ DEMO_CATALOG: 'true', MODEL_DIR: modelDir()! });
    expect(await app.db.prisma.track.count()).toBe(tracks.length);
  });
});
