import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../../src/app/start-app';
import { dashManifestXml, MediaFixtures } from '../helpers/media-fixtures';
import { describeMode, TestEnv } from './harness';
import { ingest, modelDir, settledTracks } from './pipeline-helpers';

/**
 * Issue 14 item 4, end to end: a catalog file inside the media root that names media outside it
 * must not become READY from the outside file, and must fail the same way whether that file
 * exists or not (no file-existence oracle). Item 11: a text file named .mp4 is NOT_MEDIA.
 */
const run = modelDir() ? describeMode : (m: 'embedded', fn: () => void) => describe.skip(`[${m}]`, fn);
run('embedded', () => {
  const env = new TestEnv('embedded');
  const media = new MediaFixtures(env.mediaRoot);
  const outside = new MediaFixtures(path.join(env.dataDir, 'outside'));
  let app: App;

  beforeAll(async () => {
    app = await env.start({ MODEL_DIR: modelDir()!, RUN_JOBS: 'true', MAX_TRACK_SECONDS: '600' });
  });
  afterAll(async () => {
    await app?.stop();
    await env.cleanup();
  });

  it('fails a DASH manifest naming a file outside the media root, the same way whether it exists or not', async () => {
    const secret = outside.generate('secret.mp4', [
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=300:duration=40',
      '-c:a',
      'aac',
    ]);
    fs.writeFileSync(media.file('escape.mpd'), dashManifestXml(secret, 40));
    fs.writeFileSync(media.file('oracle.mpd'), dashManifestXml(path.join(env.dataDir, 'outside', 'missing.mp4'), 40));
    fs.writeFileSync(media.file('notes.mp4'), 'not a video\n'.repeat(100));
    media.generate('fine.ogg', ['-f', 'lavfi', '-i', 'sine=frequency=500:duration=40']);

    const ids = await ingest(app, [
      { mediaUri: 'escape.mpd', title: 'escape' },
      { mediaUri: 'oracle.mpd', title: 'oracle' },
      { mediaUri: 'notes.mp4', title: 'notes' },
      { mediaUri: 'fine.ogg', title: 'fine' },
    ]);
    const tracks = await settledTracks(app, ids);
    const byTitle = Object.fromEntries(tracks.map((t) => [t.title, t]));
    expect([byTitle.escape!.status, byTitle.escape!.error]).toEqual(['FAILED', expect.stringMatching(/^NOT_MEDIA: /)]);
    expect([byTitle.oracle!.status, byTitle.oracle!.error]).toEqual(['FAILED', byTitle.escape!.error]);
    expect([byTitle.notes!.status, byTitle.notes!.error]).toEqual(['FAILED', expect.stringMatching(/^NOT_MEDIA: /)]);
    expect(byTitle.fine!.status).toBe('READY');
  });
});
