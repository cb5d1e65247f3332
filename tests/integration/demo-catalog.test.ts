import type { App } from '../../src/app/start-app';
import { gql, TestEnv } from './harness';
import { modelDir, settledTracks, settledVideo } from './pipeline-helpers';

/** A newcomer's first start: the demo catalog is there and gives suggestions within a minute. */
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

    await app.stop();
    app = await env.start({ DEMO_CATALOG: 'true', MODEL_DIR: modelDir()! });
    expect(await app.db.prisma.track.count()).toBe(tracks.length);
  });
});
