import { randomUUID } from 'node:crypto';
import type { App } from '../../src/app/start-app';
import { createLogger } from '../../src/common/logger';
import { startCoverageSweep } from '../../src/modules/model-version/model-activation';
import { unitVector } from '../helpers/media';
import { describeMode, MODES, useApp } from './harness';
import { waitFor } from './pipeline-helpers';

/** The throttled coverage check of a pending model version (docs/OPERATIONS.md, "Known limits"). */
describe.each(MODES)('model activation check', (mode) => {
  describeMode(mode, () => {
    const use = useApp(mode, { RUN_JOBS: 'false', DEMO_CATALOG: 'false' });
    let app: App;
    beforeEach(() => {
      app = use();
    });

    const pendingVersion = async () => {
      const model = await app.repos.models.upsert({
        name: 'mrcmv',
        version: randomUUID(),
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      return app.repos.models.requestActivation(model.id);
    };

    it('lets one caller per interval run the catalog scan', async () => {
      const model = await pendingVersion();
      const claims = await Promise.all([1, 2, 3, 4].map(() => app.repos.models.claimCoverageCheck(model.id, 60_000)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await app.repos.models.claimCoverageCheck(model.id, 60_000)).toBe(false);
      await new Promise((r) => setTimeout(r, 60));
      expect(await app.repos.models.claimCoverageCheck(model.id, 50)).toBe(true);
    });

    it('activates a covered version from the periodic sweep when no job checks any more', async () => {
      const track = await app.db.prisma.track.create({
        data: {
          title: 't',
          artist: 'A',
          mediaUri: 'media://t.ogg',
          contentHash: randomUUID(),
          status: 'READY',
          licenses: { create: { licensor: 'L' } },
        },
      });
      const model = await pendingVersion();
      // The last job's check lost the race: the version was checked a moment ago, before it was covered.
      expect(await app.repos.models.claimCoverageCheck(model.id, 1)).toBe(true);
      await app.repos.embeddings.upsertTrackEmbedding(track.id, model.id, unitVector(512, 1));
      expect((await app.repos.models.findById(model.id))!.active).toBe(false);
      const stop = startCoverageSweep(app.uow, createLogger('silent'), 150);
      try {
        await waitFor(
          async () => ((await app.repos.models.findById(model.id))!.active ? true : undefined),
          'the sweep to activate the version',
          10_000,
        );
      } finally {
        await stop();
      }
      expect((await app.repos.models.findActive())!.id).toBe(model.id);
    });
  });
});
