import type { App } from '../../src/app/start-app';
import { makeTone, makeVideo, unitVector } from '../helpers/media';
import { codes, describeMode, gql, grantUploads, MODES, TestEnv, tokenFor } from './harness';

const SUGGEST = `query Suggest($videoId: ID!, $first: Int!) {
  suggestBgm(videoId: $videoId, first: $first) { modelVersion { name version } suggestions { rank score track { title } } }
}`;

describe.each(MODES)('suggestBgm', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    let app: App;
    let appToken: string;
    let videoId: string;
    const trackIds: Record<string, string> = {};

    beforeAll(async () => {
      app = await env.start();
      appToken = await tokenFor(app, 'app');
      const admin = await tokenFor(app, 'admin');
      const names = ['near', 'mid', 'far', 'retired', 'expired', 'unlicensed', 'pending'];
      names.forEach((n, i) => makeTone(env.mediaRoot, `${n}.ogg`, 300 + 50 * i, 1));
      makeVideo(env.mediaRoot, 'v.mp4', 1);
      await grantUploads(app, 'app-user', 'v.mp4');
      const ingest = await gql(
        app,
        `mutation($tracks: [IngestTrackInput!]!) { ingestTracks(tracks: $tracks) { created { track { id title } } } }`,
        {
          tracks: names.map((n) => ({
            mediaUri: `${n}.ogg`,
            title: n,
            artist: 'A',
            ...(n === 'unlicensed'
              ? {}
              : { license: { licensor: 'L', validTo: n === 'expired' ? '2020-01-01T00:00:00Z' : null } }),
          })),
        },
        admin,
      );
      expect(ingest.errors).toBeUndefined();
      for (const c of ingest.data!.ingestTracks.created) trackIds[c.track.title] = c.track.id;
      const reg = await gql(
        app,
        'mutation { registerVideo(input: { mediaUri: "v.mp4" }) { video { id } } }',
        {},
        appToken,
      );
      videoId = reg.data!.registerVideo.video.id;
    });
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    it('refuses a video that is not READY with FAILED_PRECONDITION, never an empty success', async () => {
      const res = await gql(app, SUGGEST, { videoId, first: 5 }, appToken);
      expect(codes(res)).toEqual(['FAILED_PRECONDITION']);
      // Just registered: waiting, or already being embedded (videos have their own job consumer).
      expect(['PENDING', 'PROCESSING']).toContain(res.errors![0]!.extensions!.status);
    });

    it('ranks licensed READY tracks by cosine similarity under the active model', async () => {
      const { repos, db } = app;
      const model = await repos.models.upsert({
        name: 'test',
        version: '1',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      await repos.models.activate(model.id);
      const axes: Record<string, number[]> = {
        near: unitVector(512, 0, 0.01),
        mid: unitVector(512, 1, 0.9),
        far: unitVector(512, 2, 0.01),
        retired: unitVector(512, 0, 0.05),
        expired: unitVector(512, 0, 0.05),
        unlicensed: unitVector(512, 0, 0.05),
        pending: unitVector(512, 0, 0.05),
      };
      for (const [name, v] of Object.entries(axes))
        await repos.embeddings.upsertTrackEmbedding(trackIds[name]!, model.id, v);
      await repos.embeddings.upsertVideoEmbedding(videoId, model.id, unitVector(512, 0, 0.02));
      await db.prisma.track.updateMany({ where: { title: { not: 'pending' } }, data: { status: 'READY' } });
      await db.prisma.track.update({ where: { id: trackIds.retired! }, data: { retiredAt: new Date() } });
      await db.prisma.video.update({ where: { id: videoId }, data: { status: 'READY' } });

      const res = await gql(app, SUGGEST, { videoId, first: 10 }, appToken);
      expect(res.errors).toBeUndefined();
      const got = res.data!.suggestBgm;
      expect(got.modelVersion).toEqual({ name: 'test', version: '1' });
      expect(got.suggestions.map((s: any) => s.track.title)).toEqual(['near', 'mid', 'far']);
      expect(got.suggestions.map((s: any) => s.rank)).toEqual([1, 2, 3]);
      const scores = got.suggestions.map((s: any) => s.score);
      expect(scores[0]).toBeGreaterThan(0.9);
      expect(scores[0]).toBeGreaterThan(scores[1]);
      expect(scores[1]).toBeGreaterThan(scores[2]);
    });

    it('stores one embedding per (track, model version) however often it is written', async () => {
      const model = (await app.repos.models.findActive())!;
      await app.repos.embeddings.upsertTrackEmbedding(trackIds.near!, model.id, unitVector(512, 3));
      await app.repos.embeddings.upsertTrackEmbedding(trackIds.near!, model.id, unitVector(512, 0, 0.1));
      expect(await app.db.prisma.trackEmbedding.count({ where: { trackId: trackIds.near! } })).toBe(1);
    });

    it('updateTrack changes what the mood and bpm filters let through, on the next query', async () => {
      const admin = await tokenFor(app, 'admin');
      const FILTERED = `query($videoId: ID!, $filter: SuggestionFilterInput) {
        suggestBgm(videoId: $videoId, first: 10, filter: $filter) { suggestions { track { title } } } }`;
      const titles = async (filter: Record<string, unknown>) =>
        (await gql(app, FILTERED, { videoId, filter }, appToken)).data!.suggestBgm.suggestions.map(
          (s: any) => s.track.title,
        );
      const UPDATE = `mutation($id: ID!, $input: UpdateTrackInput!) { updateTrack(id: $id, input: $input) { title moods bpm tags } }`;
      expect(await titles({ moods: ['calm'] })).toEqual([]);

      const updated = await gql(app, UPDATE, { id: trackIds.mid, input: { moods: ['calm'], bpm: 90 } }, admin);
      expect(updated.errors).toBeUndefined();
      // Only the given fields change.
      expect(updated.data!.updateTrack).toEqual({ title: 'mid', moods: ['calm'], bpm: 90, tags: [] });
      expect(await titles({ moods: ['calm'] })).toEqual(['mid']);
      expect(await titles({ bpmMin: 80, bpmMax: 100 })).toEqual(['mid']);
      await gql(app, UPDATE, { id: trackIds.mid, input: { clearBpm: true } }, admin);
      expect(await titles({ bpmMin: 80, bpmMax: 100 })).toEqual([]);

      // Admins only; bad input names its field and changes nothing.
      const before = await app.db.prisma.track.findUniqueOrThrow({ where: { id: trackIds.mid! } });
      expect(codes(await gql(app, UPDATE, { id: trackIds.mid, input: { title: 'x' } }, appToken))).toEqual([
        'FORBIDDEN',
      ]);
      for (const input of [
        {},
        { title: '' },
        { bpm: 1000 },
        { moods: ['m'.repeat(65)] },
        { bpm: 90, clearBpm: true },
      ]) {
        expect(codes(await gql(app, UPDATE, { id: trackIds.mid, input }, admin))).toEqual(['BAD_USER_INPUT']);
      }
      const missing = '00000000-0000-4000-8000-000000000000';
      expect(codes(await gql(app, UPDATE, { id: missing, input: { title: 'x' } }, admin))).toEqual(['NOT_FOUND']);
      const after = await app.db.prisma.track.findUniqueOrThrow({ where: { id: trackIds.mid! } });
      expect({ ...after, updatedAt: null }).toEqual({ ...before, updatedAt: null });
    });

    it('bounds first and hides other owners’ videos', async () => {
      expect(codes(await gql(app, SUGGEST, { videoId, first: 51 }, appToken))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await gql(app, SUGGEST, { videoId, first: 5 }))).toEqual(['UNAUTHENTICATED']);
      const stranger = await tokenFor(app, 'app', 'stranger');
      expect(codes(await gql(app, SUGGEST, { videoId, first: 5 }, stranger))).toEqual(['NOT_FOUND']);
    });
  });
});
