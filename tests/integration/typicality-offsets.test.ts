import type { App } from '../../src/app/start-app';
import type { ModelVersionRecord } from '../../src/db/prisma-types';
import { catalogTypicality, typicalityOffsets, type TypicalitySettings } from '../../src/inference/catalog-typicality';
import { rankTracks } from '../../src/modules/suggestion/rank-tracks';
import { unitVector } from '../helpers/media';
import { describeMode, gql, MODES, TestEnv, tokenFor } from './harness';
import { embeddedVideo, readyTrack } from './pipeline-helpers';

const BINS = 31;
const SETTINGS: TypicalitySettings = { lambda: -0.5, bins: BINS, probeStride: 2 };

/**
 * A unit window: a learned part along `axis` (how well it fits the video), and a timing part, the
 * last BINS numbers, shaped by `curve` (what the catalog pass compares).
 */
function windowVector(axis: number, curve: (i: number) => number): number[] {
  const learned = unitVector(512 - BINS, axis, 0.01).map((x) => x * Math.sqrt(0.3));
  const timing = Array.from({ length: BINS }, (_, i) => curve(i));
  const n = Math.hypot(...timing);
  return [...learned, ...timing.map((x) => (x / n) * Math.sqrt(0.7))];
}

const SUGGEST = `query($v: ID!) { suggestBgm(videoId: $v, first: 10) { suggestions { relevance track { title } } } }`;

/**
 * The catalog pass of a model version with catalogTypicality (typicality-offsets.ts): each track's
 * offset from the timing parts of every stored window, on real Postgres + pgvector and on PGlite,
 * and suggestBgm's one statement ranking by the standardised score plus that offset, as rankTracks.
 */
describe.each(MODES)('catalog typicality offsets', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    let app: App;
    let model: ModelVersionRecord;
    const ids: Record<string, string> = {};
    // Three tracks share slow curves; "odd" alone has a fast one, unlike the rest of its catalog.
    const curves: Record<string, ((i: number) => number)[]> = {
      a: [(i) => Math.sin(i / 5), (i) => Math.cos(i / 5), (i) => Math.sin(i / 4 + 1)],
      b: [(i) => Math.sin(i / 5 + 0.2), (i) => Math.cos(i / 6)],
      c: [(i) => Math.cos(i / 5 + 0.1), (i) => Math.sin(i / 6 + 0.3), (i) => Math.sin(i / 5 + 2)],
      odd: [(i) => Math.sin(i * 2.5), (i) => Math.cos(i * 3.1)],
    };
    // The video fits "odd" best on the learned part.
    const axis: Record<string, number> = { a: 1, b: 2, c: 3, odd: 0 };
    const windowsOf = (title: string) => curves[title]!.map((curve) => windowVector(axis[title]!, curve));
    const pass = () => app.uow.run((tx) => tx.embeddings.refreshTypicalityOffsets(model.id, SETTINGS));
    const stored = async () =>
      new Map(
        (await app.db.prisma.trackEmbedding.findMany({ where: { modelVersionId: model.id } })).map((r) => [
          r.trackId,
          r.scoreOffset,
        ]),
      );

    beforeAll(async () => {
      app = await env.start({ RUN_JOBS: 'false' });
      model = await app.repos.models.upsert({
        name: 'typ',
        version: '1',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      await app.repos.models.activate(model.id);
      for (const title of Object.keys(curves)) {
        const trackId = await readyTrack(app, title);
        ids[title] = trackId;
        const windows = windowsOf(title);
        await app.repos.embeddings.upsertTrackEmbedding(trackId, model.id, windows[0]!, { mean: 0.2, std: 0.1 });
        await app.repos.embeddings.replaceTrackSegments(
          trackId,
          model.id,
          windows.map((embedding, i) => ({ windowIndex: i, startSec: i, embedding })),
        );
      }
    });
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    it("stores each track's offset as computed from every stored window of the version", async () => {
      const before = await stored();
      expect([...before.values()]).toEqual([0, 0, 0, 0]);
      expect(await pass()).toBe(4);
      const after = await stored();
      // The order the pass reads tracks in (by id); windows by index.
      const titles = Object.keys(ids).sort((x, y) => (ids[x]! < ids[y]! ? -1 : 1));
      const timing = titles.map((t) => windowsOf(t).map((w) => w.slice(-BINS)));
      const expected = typicalityOffsets(catalogTypicality(timing, BINS, SETTINGS.probeStride), SETTINGS.lambda);
      titles.forEach((t, i) => expect(after.get(ids[t]!)).toBeCloseTo(expected[i]!, 5));
      // The least typical track is lowered (lambda < 0), and the offsets are standardised.
      expect(Math.min(...after.values())).toBe(after.get(ids.odd!));
      expect([...after.values()].reduce((s, o) => s + o, 0)).toBeCloseTo(0, 9);
    });

    it('ranks by standardised score plus offset in suggestBgm, exactly as rankTracks does', async () => {
      await pass();
      const videoId = await embeddedVideo(
        app,
        model.id,
        windowVector(0, (i) => Math.sin(i * 2.5)),
      );
      const res = await gql(app, SUGGEST, { v: videoId }, await tokenFor(app, 'app'));
      const got = res.data!.suggestBgm.suggestions as { relevance: number; track: { title: string } }[];
      const query = (await app.repos.embeddings.findVideoEmbedding(videoId, model.id))!;
      const expected = await rankTracks(app.repos.embeddings, model.id, query, 10);
      expect(got.map((s) => s.track.title)).toEqual(
        expected.map((r) => Object.keys(ids).find((t) => ids[t] === r.trackId)),
      );
      got.forEach((s, i) => expect(s.relevance).toBeCloseTo(expected[i]!.relevance, 6));
      const offsets = await stored();
      const top = expected[0]!;
      expect(top.relevance).toBeCloseTo((top.score - 0.2) / 0.1 + offsets.get(top.trackId)!, 6);
    });

    it('recomputes over the catalog that is left, and gives a lone track no offset', async () => {
      await app.db.prisma.track.delete({ where: { id: ids.odd! } });
      expect(await pass()).toBe(3);
      const three = await stored();
      expect([...three.values()].reduce((s, o) => s + o, 0)).toBeCloseTo(0, 9);
      await app.db.prisma.track.deleteMany({ where: { id: { in: [ids.b!, ids.c!] } } });
      expect(await pass()).toBe(1);
      expect([...(await stored()).values()]).toEqual([0]);
    });
  });
});
