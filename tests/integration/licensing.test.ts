import type { App } from '../../src/app/start-app';
import { unitVector } from '../helpers/media';
import { codes, describeMode, gql, MODES, TestEnv, tokenFor } from './harness';
import type { Prisma } from '../../src/generated/prisma/client';
import { embeddedVideo, readyTrack, type TrackFields } from './pipeline-helpers';

const SUGGEST = `query($v: ID!, $first: Int!, $f: SuggestionFilterInput) {
  suggestBgm(videoId: $v, first: $first, filter: $f) { suggestions { track { title } startOffsetSec license { licensor } } }
}`;

const DAY = 86_400_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

/** Track title -> its licenses (and whether it is retired); every track sits at the same distance. */
const CATALOG: Record<string, { licenses: Prisma.LicenseCreateWithoutTrackInput[] } & TrackFields> = {
  world: { licenses: [{ licensor: 'world' }], moods: ['calm'], bpm: 90, durationSec: 200 },
  usOnly: { licenses: [{ licensor: 'us', territoriesAllowed: ['US'] }], moods: ['epic'], bpm: 140, durationSec: 100 },
  notDe: { licenses: [{ licensor: 'not-de', territoriesDenied: ['DE'] }] },
  iosOnly: { licenses: [{ licensor: 'ios', platforms: ['ios'] }] },
  commercial: { licenses: [{ licensor: 'com', commercialUse: true }] },
  expired: { licenses: [{ licensor: 'old', validTo: iso(-DAY) }] },
  future: { licenses: [{ licensor: 'soon', validFrom: iso(DAY) }] },
  twoLicenses: {
    licenses: [
      { licensor: 'old-fr', validTo: iso(-DAY) },
      { licensor: 'fr', territoriesAllowed: ['FR'] },
    ],
  },
  unlicensed: { licenses: [] },
  retired: { licenses: [{ licensor: 'gone' }] },
};

describe.each(MODES)('license-aware suggestions', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    let app: App;
    let admin: string;
    let appToken: string;
    let videoId: string;
    const ids: Record<string, string> = {};

    const titles = async (filter: Record<string, unknown>, first = 50) => {
      const res = await gql(app, SUGGEST, { v: videoId, first, f: filter }, appToken);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return (res.data!.suggestBgm.suggestions as { track: { title: string } }[]).map((s) => s.track.title).sort();
    };

    beforeAll(async () => {
      app = await env.start();
      admin = await tokenFor(app, 'admin');
      appToken = await tokenFor(app, 'app');
      const model = await app.repos.models.upsert({
        name: 'lic',
        version: '1',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      await app.repos.models.activate(model.id);
      for (const [i, [title, spec]] of Object.entries(CATALOG).entries()) {
        const trackId = await readyTrack(app, title, spec.licenses, {
          moods: spec.moods ?? [],
          bpm: spec.bpm ?? 120,
          durationSec: spec.durationSec ?? 150,
        });
        ids[title] = trackId;
        await app.repos.embeddings.upsertTrackEmbedding(trackId, model.id, unitVector(512, i + 1, 0.5));
        await app.repos.embeddings.replaceTrackSegments(trackId, model.id, [
          { windowIndex: 0, startSec: 0, embedding: unitVector(512, i + 1, 0.5) },
          { windowIndex: 1, startSec: 32, embedding: unitVector(512, 0, 0.5) },
        ]);
      }
      await app.db.prisma.track.update({ where: { id: ids.retired! }, data: { retiredAt: new Date() } });
      videoId = await embeddedVideo(app, model.id, unitVector(512, 0, 0.5));
    });
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    it('applies the licensing matrix: territory, platform, commercial use, validity window, retirement', async () => {
      const always = ['commercial', 'iosOnly', 'notDe', 'world'];
      expect(await titles({})).toEqual([...always, 'twoLicenses', 'usOnly'].sort());
      expect(await titles({ territory: 'US' })).toEqual([...always, 'usOnly'].sort());
      expect(await titles({ territory: 'DE' })).toEqual(['commercial', 'iosOnly', 'world']);
      expect(await titles({ territory: 'FR' })).toEqual([...always, 'twoLicenses'].sort());
      expect(await titles({ platform: 'android' })).toEqual(['commercial', 'notDe', 'twoLicenses', 'usOnly', 'world']);
      expect(await titles({ platform: 'ios', commercialUse: true })).toEqual(['commercial']);
      expect(await titles({ territory: 'US', moods: ['epic'], bpmMin: 130, minDurationSec: 60 })).toEqual(['usOnly']);
      expect(await titles({ minDurationSec: 180 })).toEqual(['world']);
    });

    it('returns the license that allows the track and the best window as start offset', async () => {
      const res = await gql(app, SUGGEST, { v: videoId, first: 50, f: { territory: 'FR' } }, appToken);
      const two = res.data!.suggestBgm.suggestions.find((s: any) => s.track.title === 'twoLicenses');
      expect(two.license.licensor).toBe('fr');
      // Window 1 (at 32 s) of every track points where the video does.
      expect(res.data!.suggestBgm.suggestions.every((s: any) => s.startOffsetSec === 32)).toBe(true);
    });

    it('follows license and retirement changes at once', async () => {
      const retire = await gql(app, `mutation { retireTrack(id: "${ids.world}") { retiredAt } }`, {}, admin);
      expect(retire.data!.retireTrack.retiredAt).toBeTruthy();
      expect(await titles({ territory: 'DE' })).toEqual(['commercial', 'iosOnly']);
      await gql(app, `mutation { unretireTrack(id: "${ids.world}") { id } }`, {}, admin);
      const upsert = await gql(
        app,
        `mutation($t: ID!, $l: LicenseInput!) { upsertLicense(trackId: $t, license: $l) { licensor territoriesAllowed } }`,
        { t: ids.unlicensed, l: { licensor: 'new', territoriesAllowed: ['DE'] } },
        admin,
      );
      expect(upsert.data!.upsertLicense).toEqual({ licensor: 'new', territoriesAllowed: ['DE'] });
      expect(await titles({ territory: 'DE' })).toEqual(['commercial', 'iosOnly', 'unlicensed', 'world']);
      const bad = await gql(
        app,
        `mutation($t: ID!, $l: LicenseInput!) { upsertLicense(trackId: $t, license: $l) { id } }`,
        { t: ids.world, l: { licensor: 'x', validFrom: iso(DAY), validTo: iso(-DAY) } },
        admin,
      );
      expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    });

    it('requires an admin for every catalog mutation', async () => {
      const mutations = [
        `mutation { retireTrack(id: "${ids.world}") { id } }`,
        `mutation { unretireTrack(id: "${ids.world}") { id } }`,
        `mutation { upsertLicense(trackId: "${ids.world}", license: { licensor: "x" }) { id } }`,
        `mutation { activateModelVersion(id: "${ids.world}") { id } }`,
        `mutation { retryJob(id: "${ids.world}") { id } }`,
        'mutation { ingestTracks(tracks: [{ mediaUri: "x", title: "x", artist: "x" }]) { created { job { id } } } }',
      ];
      for (const m of mutations) {
        expect([m, codes(await gql(app, m))]).toEqual([m, ['UNAUTHENTICATED']]);
        expect([m, codes(await gql(app, m, {}, appToken))]).toEqual([m, ['FORBIDDEN']]);
      }
    });
  });
});
