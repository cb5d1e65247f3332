import { Client } from 'pg';
import type { App } from '../../src/app/start-app';
import { unitVector } from '../helpers/media';
import { codes, describeMode, gql, MODES, TestEnv, tokenFor } from './harness';
import { embeddedVideo, readyTrack } from './pipeline-helpers';

const SUGGEST = `query($v: ID!, $f: SuggestionFilterInput) {
  suggestBgm(videoId: $v, first: 10, filter: $f) {
    modelVersion { version }
    suggestions { startOffsetSec track { title } license { licensor } }
  }
}`;

/**
 * The suggestBgm response cache (suggestion-cache.ts) against everything a page is ranked from:
 * each kind of change is followed on the very next call (a stale lookup, then the new answer), and
 * only an unchanged page is served from memory. Writes go around the API, as another process's would.
 */
describe.each(MODES)('suggestBgm response cache', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    let app: App;
    let token: string;
    let videoId: string;
    const ids: Record<string, string> = {};

    const lookups = async () => {
      const values = (await app.metrics.suggestCache.get()).values;
      const count = (result: string) => values.find((v) => v.labels.result === result)?.value ?? 0;
      return { hit: count('hit'), miss: count('miss'), stale: count('stale') };
    };
    /** The answer, and how the cache took the call. */
    const suggest = async (filter?: Record<string, unknown>, as = token) => {
      const before = await lookups();
      const res = await gql(app, SUGGEST, { v: videoId, f: filter ?? null }, as);
      const after = await lookups();
      const took = (['hit', 'miss', 'stale'] as const).filter((k) => after[k] > before[k]);
      if (res.errors) return { took, codes: codes(res), titles: [] as string[], page: undefined };
      const page = res.data!.suggestBgm as {
        modelVersion: { version: string };
        suggestions: { startOffsetSec: number; track: { title: string }; license: { licensor: string } }[];
      };
      return { took, codes: [], titles: page.suggestions.map((s) => s.track.title), page };
    };
    const sql = (text: string) => app.db.sql.exec(text);

    beforeAll(async () => {
      app = await env.start({ RUN_JOBS: 'false' });
      token = await tokenFor(app, 'app');
      const model = await app.repos.models.upsert({
        name: 'cache',
        version: '1',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      await app.repos.models.activate(model.id);
      for (const [i, title] of ['a', 'b', 'c'].entries()) {
        const trackId = await readyTrack(app, title);
        ids[title] = trackId;
        // a is nearest the video, then b, then c.
        const vector = unitVector(512, 0, 0).map((x, d) => (d === i + 1 ? 0.3 + 0.2 * i : x));
        await app.repos.embeddings.upsertTrackEmbedding(trackId, model.id, vector);
      }
      videoId = await embeddedVideo(app, model.id, unitVector(512, 0, 0));
    });
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    it('answers a repeated call from memory, the same page', async () => {
      const first = await suggest();
      expect(first.titles).toEqual(['a', 'b', 'c']);
      const again = await suggest();
      expect(again.took).toEqual(['hit']);
      expect(again.page).toEqual(first.page);
      // Another filter is another page (and equal filters written in another order are the same).
      expect((await suggest({ commercialUse: false, moods: [] })).took).toEqual(['miss']);
      expect((await suggest({ moods: [], commercialUse: false })).took).toEqual(['hit']);
    });

    it('follows a license revoked, and a license that starts later, the moment it starts', async () => {
      await sql(`UPDATE license SET valid_to = now() WHERE track_id = '${ids.a}'`);
      const revoked = await suggest();
      expect(revoked.took).toEqual(['stale']);
      expect(revoked.titles).toEqual(['b', 'c']);
      // A license from 1.5 s ahead: no write happens when it starts, only time passes.
      await sql(`INSERT INTO license (id, track_id, licensor, valid_from)
                 VALUES (gen_random_uuid(), '${ids.a}', 'a-renewed', now() + interval '1.5 seconds')`);
      expect((await suggest()).titles).toEqual(['b', 'c']);
      expect((await suggest()).took).toEqual(['hit']);
      await new Promise((r) => setTimeout(r, 1600));
      const renewed = await suggest();
      expect(renewed.took).toEqual(['stale']);
      expect(renewed.titles).toEqual(['a', 'b', 'c']);
      expect(renewed.page!.suggestions[0]!.license.licensor).toBe('a-renewed');
    });

    it('follows the track, its vectors and windows, and its analysis', async () => {
      await sql(`UPDATE track SET retired_at = now() WHERE id = '${ids.b}'`);
      expect((await suggest()).titles).toEqual(['a', 'c']);
      await sql(`UPDATE track SET retired_at = NULL WHERE id = '${ids.b}'`);
      expect((await suggest()).titles).toEqual(['a', 'b', 'c']);

      const model = (await app.repos.models.findActive())!;
      await app.repos.embeddings.replaceTrackSegments(ids.c!, model.id, [
        { windowIndex: 0, startSec: 0, embedding: unitVector(512, 7, 0) },
        { windowIndex: 1, startSec: 12, embedding: unitVector(512, 0, 0) },
      ]);
      const windowed = await suggest();
      expect(windowed.took).toEqual(['stale']);
      expect(windowed.titles[0]).toBe('c');
      expect(windowed.page!.suggestions[0]!.startOffsetSec).toBe(12);
      // A tempo analysed for b only: the bpm filter's page follows it.
      expect((await suggest({ bpmMin: 100 })).titles).toEqual([]);
      await sql(`INSERT INTO track_analysis (track_id, analyzer_version, tempo_bpm) VALUES ('${ids.b}', 2, 120)`);
      expect((await suggest({ bpmMin: 100 })).titles).toEqual(['b']);
    });

    it('follows the video and the serving version, and keeps each caller apart', async () => {
      await sql(`UPDATE video SET status = 'FAILED', error = 'gone' WHERE id = '${videoId}'`);
      expect((await suggest()).codes).toEqual(['FAILED_PRECONDITION']);
      await sql(`UPDATE video SET status = 'READY', error = NULL WHERE id = '${videoId}'`);
      expect((await suggest()).titles).toEqual(['c', 'a', 'b']);

      // Another owner is refused although the owner's page is cached; an admin gets its own entry.
      const stranger = await tokenFor(app, 'app', 'someone-else');
      expect((await suggest(undefined, stranger)).codes).toEqual(['NOT_FOUND']);
      const admin = await tokenFor(app, 'admin');
      expect((await suggest(undefined, admin)).took).toEqual(['miss']);

      const v2 = await app.repos.models.upsert({
        name: 'cache',
        version: '2',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      await app.repos.embeddings.upsertTrackEmbedding(ids.b!, v2.id, unitVector(512, 0, 0));
      await app.repos.embeddings.upsertVideoEmbedding(videoId, v2.id, unitVector(512, 0, 0));
      await app.repos.models.activate(v2.id);
      const switched = await suggest();
      expect(switched.page!.modelVersion.version).toBe('2');
      expect(switched.titles).toEqual(['b']);
    });

    it('is not disturbed by writes that cannot change the page', async () => {
      await suggest();
      await app.db.prisma.video.create({ data: { ownerId: 'other', mediaUri: 'media://w', status: 'READY' } });
      expect((await suggest()).took).toEqual(['hit']);
      // A rolled-back catalog write changes nothing, the counter included.
      await expect(
        app.db.prisma.$transaction(async (tx) => {
          await tx.track.update({ where: { id: ids.a }, data: { title: 'renamed' } });
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect((await suggest()).took).toEqual(['hit']);
    });

    it('keeps its pages through a re-embed under a pending version, not once that version serves', async () => {
      const v3 = await app.repos.models.upsert({
        name: 'cache',
        version: '3',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      const embedUnderV3 = async () => {
        for (const id of [ids.a!, ids.b!, ids.c!]) {
          await app.repos.embeddings.upsertTrackEmbedding(id, v3.id, unitVector(512, 0, 0));
          await app.repos.embeddings.replaceTrackSegments(id, v3.id, [
            { windowIndex: 0, startSec: 0, embedding: unitVector(512, 0, 0) },
          ]);
        }
      };
      await suggest();
      const counter = async () =>
        (await app.db.sql.query<{ value: string }>('SELECT value::text FROM catalog_epoch'))[0]!.value;
      const before = await counter();
      await embedUnderV3();
      expect(await counter()).toBe(before);
      expect((await suggest()).took).toEqual(['hit']);
      // Once it is the canary its embeddings can change a page: the share itself and each write move the counter.
      await sql(`UPDATE model_version SET canary_share = 0.5 WHERE id = '${v3.id}'`);
      expect((await suggest()).took).toEqual(['stale']);
      await embedUnderV3();
      expect((await suggest()).took).toEqual(['stale']);
      await sql(`UPDATE model_version SET canary_share = 0 WHERE id = '${v3.id}'`);
    });

    if (mode === 'postgres+nats')
      it('makes an activation wait for a pending version’s embeddings being committed (no stale page between)', async () => {
        const config = await env.config();
        if (config.database.kind !== 'postgres') throw new Error('expected Postgres');
        const v4 = await app.repos.models.upsert({
          name: 'cache',
          version: '4',
          dims: 512,
          artifactUri: 'memory://',
          manifest: {},
        });
        const writer = new Client({ connectionString: config.database.url });
        const activator = new Client({ connectionString: config.database.url });
        await writer.connect();
        await activator.connect();
        try {
          await writer.query('BEGIN');
          await writer.query(
            `INSERT INTO track_embedding (track_id, model_version_id, embedding) VALUES ($1, $2, $3::vector)`,
            [ids.a, v4.id, `[${unitVector(512, 0, 0).join(',')}]`],
          );
          // What the commit would do, now: the row's trigger looks the version up and holds it.
          await writer.query('SET CONSTRAINTS ALL IMMEDIATE');
          await activator.query(`SET lock_timeout = '300ms'`);
          await expect(
            activator.query(`UPDATE model_version SET canary_share = 0.5 WHERE id = $1`, [v4.id]),
          ).rejects.toThrow(/lock timeout/);
          await writer.query('COMMIT');
          await activator.query(`UPDATE model_version SET canary_share = 0.5 WHERE id = $1`, [v4.id]);
          await activator.query(`UPDATE model_version SET canary_share = 0 WHERE id = $1`, [v4.id]);
        } finally {
          await writer.end();
          await activator.end();
        }
      });
  });
});
