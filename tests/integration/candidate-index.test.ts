import type { App } from '../../src/app/start-app';
import type { ModelVersionRecord } from '../../src/db/prisma-types';
import { nearAxis as near, unitVector } from '../helpers/media';
import { describeMode, gql, MODES, TestEnv, tokenFor } from './harness';
import { embeddedVideo, readyTrack } from './pipeline-helpers';

const SUGGEST = `query($v: ID!, $first: Int!, $filter: SuggestionFilterInput) {
  suggestBgm(videoId: $v, first: $first, filter: $filter) {
    modelVersion { id }
    suggestions { score track { id } license { territoriesAllowed } }
  }
}`;

const TRACKS = 80;

/**
 * suggestBgm with its candidates from the in-process index (candidate-index.ts): the same pages as
 * the walk over pgvector, only from a graph current at the catalog's counter. A catalog write (a
 * new track, a license gone, a version switch) is seen by the very next call, through the walk,
 * and by the index once it caught up.
 */
describe.each(MODES)('suggestBgm from the in-process candidate index', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    let app: App;
    let token: string;
    let videoId: string;
    let v1: ModelVersionRecord;
    const trackIds: string[] = [];

    type Page = { modelVersion: { id: string }; suggestions: { score: number; track: { id: string } }[] };
    const suggest = async (filter?: object, first = 10): Promise<Page> => {
      const res = await gql(app, SUGGEST, { v: videoId, first, filter }, token);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.suggestBgm as Page;
    };
    const servedByIndex = async () =>
      (await app.metrics.suggestCandidates.get()).values.find((v) => v.labels.source === 'index')?.value ?? 0;
    /** A page served from the index: asks until the index has caught up (each ask queues what it lacks). */
    const fromIndex = async (filter?: object): Promise<Page> => {
      for (let attempt = 0; attempt < 4; attempt++) {
        const before = await servedByIndex();
        const page = await suggest(filter);
        if ((await servedByIndex()) > before) return page;
        await app.candidateIndex!.settled();
      }
      throw new Error('the candidate index never answered');
    };
    const ids = (p: Page) => p.suggestions.map((s) => s.track.id);

    beforeAll(async () => {
      // No response cache: every call runs the statement, so each call's source is counted.
      app = await env.start({ RUN_JOBS: 'false', SUGGEST_CACHE_SUGGESTIONS: '0' });
      token = await tokenFor(app, 'app');
      v1 = await app.repos.models.upsert({
        name: 'idx',
        version: '1',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      await app.repos.models.activate(v1.id);
      for (let i = 0; i < TRACKS; i++) {
        // Even tracks are licensed in Iceland only, odd ones worldwide.
        const id = await readyTrack(app, `t${i}`, [{ licensor: `l${i}`, territoriesAllowed: i % 2 ? [] : ['IS'] }]);
        await app.repos.embeddings.upsertTrackEmbedding(id, v1.id, near(i + 1, i / 20));
        trackIds.push(id);
      }
      videoId = await embeddedVideo(app, v1.id, unitVector(512, 0, 0));
    });
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    it('answers with the page the walk gives, with and without a filter', async () => {
      for (const filter of [undefined, { territory: 'FR' }, { territory: 'IS', preferInstrumental: false }]) {
        const walked = await suggest(filter);
        const indexed = await fromIndex(filter);
        expect(ids(indexed)).toEqual(ids(walked));
        expect(indexed.suggestions).toHaveLength(10);
      }
      // Outside Iceland only the worldwide (odd) tracks: the nearest are the last ones.
      const fr = await fromIndex({ territory: 'FR' });
      expect(ids(fr)).toEqual([79, 77, 75, 73, 71, 69, 67, 65, 63, 61].map((i) => trackIds[i]));
    });

    it('sees a new track and a license gone on the next call, and again from the index once it caught up', async () => {
      await fromIndex();
      const nearest = await readyTrack(app, 'nearest');
      await app.repos.embeddings.upsertTrackEmbedding(nearest, v1.id, near(300, 50));
      await app.db.prisma.license.deleteMany({ where: { trackId: trackIds[79] } });
      const next = await suggest();
      expect(ids(next)[0]).toBe(nearest);
      expect(ids(next)).not.toContain(trackIds[79]);
      const indexed = await fromIndex();
      expect(ids(indexed)).toEqual(ids(next));
    });

    it('follows a version switch: the next call is ranked by the new version, then served from its graph', async () => {
      const v2 = await app.repos.models.upsert({
        name: 'idx',
        version: '2',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      // Under version 2 the order turns round: the first tracks fit the video best.
      for (const [i, id] of trackIds.entries()) {
        await app.repos.embeddings.upsertTrackEmbedding(id, v2.id, near(i + 1, (TRACKS - i) / 20));
      }
      await app.repos.embeddings.upsertVideoEmbedding(videoId, v2.id, unitVector(512, 0, 0));
      await app.repos.models.activate(v2.id);
      const next = await suggest({ territory: 'FR' });
      expect(next.modelVersion.id).toBe(v2.id);
      expect(ids(next)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19].map((i) => trackIds[i]));
      const indexed = await fromIndex({ territory: 'FR' });
      expect(indexed.modelVersion.id).toBe(v2.id);
      expect(ids(indexed)).toEqual(ids(next));
    });
  });
});
