import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../../src/app/start-app';
import { createLogger } from '../../src/common/logger';
import { registerModelFolder } from '../../src/modules/model-version/model-registration';
import { makeTone, makeVideo } from '../helpers/media';
import { codes, gql, grantUploads, TestEnv, tokenFor } from './harness';
import { ingest, modelDir, settledTracks, settledVideo, waitFor } from './pipeline-helpers';

/** Rolling a new model version: queries stay on the old one until the new one covers the catalog. */
(modelDir() ? describe : describe.skip)('model version roll-out [embedded]', () => {
  const env = new TestEnv('embedded');
  let app: App;

  beforeAll(async () => {
    app = await env.start({
      MODEL_DIR: modelDir()!,
      RUN_JOBS: 'true',
      JOB_RETRY_BASE_MS: '100',
      ACTIVATION_CHECK_INTERVAL_MS: '200',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await env.cleanup();
  });

  it('re-embeds the catalog, switches when covered, and embeds older videos lazily', async () => {
    const admin = await tokenFor(app, 'admin');
    const appToken = await tokenFor(app, 'app');
    [300, 450, 600].forEach((hz) => makeTone(env.mediaRoot, `t${hz}.ogg`, hz, 40));
    makeVideo(env.mediaRoot, 'v.mp4', 6);
    await grantUploads(app, 'app-user', 'v.mp4');
    const ids = await ingest(
      app,
      [300, 450, 600].map((hz) => ({ mediaUri: `t${hz}.ogg`, title: `t${hz}` })),
    );
    expect((await settledTracks(app, ids)).map((t) => t.status)).toEqual(['READY', 'READY', 'READY']);
    const reg = await gql(
      app,
      'mutation { registerVideo(input: { mediaUri: "v.mp4" }) { video { id } } }',
      {},
      appToken,
    );
    const videoId = reg.data!.registerVideo.video.id as string;
    expect((await settledVideo(app, videoId)).status).toBe('READY');
    const v1 = (await app.repos.models.findActive())!;

    // A second version of the model: same files, another version name.
    const dir = path.join(env.dataDir, 'model-v2');
    fs.cpSync(modelDir()!, dir, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ ...manifest, version: `${manifest.version}-v2` }),
    );
    const v2 = await registerModelFolder(app.uow, dir, createLogger('silent'));
    expect(v2.active).toBe(false);

    const res = await gql(
      app,
      `mutation { activateModelVersion(id: "${v2.id}") { version active activationRequestedAt } }`,
      {},
      admin,
    );
    expect(res.data!.activateModelVersion).toMatchObject({ active: false, activationRequestedAt: expect.any(String) });
    expect((await app.repos.models.findActive())!.id).toBe(v1.id); // not before the catalog is covered

    await waitFor(
      async () => ((await app.repos.models.findActive())!.id === v2.id ? true : undefined),
      'v2 to become active',
    );
    expect(await app.db.prisma.trackEmbedding.count({ where: { modelVersionId: v2.id } })).toBe(3);
    expect(await app.db.prisma.trackEmbedding.count({ where: { modelVersionId: v1.id } })).toBe(3);

    const suggest = `{ suggestBgm(videoId: "${videoId}", first: 3) { modelVersion { version } suggestions { rank } } }`;
    const first = await gql(app, suggest, {}, appToken);
    expect(codes(first)).toEqual(['FAILED_PRECONDITION']);
    expect(first.errors![0]!.extensions!.status).toBe('PROCESSING');
    const later = await waitFor(async () => {
      const r = await gql(app, suggest, {}, appToken);
      return r.errors ? undefined : r;
    }, 'the video to be embedded under v2');
    expect(later.data!.suggestBgm.modelVersion.version).toBe(v2.version);
    expect(later.data!.suggestBgm.suggestions).toHaveLength(3);
  });
});
