import type { App } from '../../src/app/start-app';
import { TRACK_INDEX_BUILD, trackIndexDdl } from '../../src/db/track-index';
import { describeMode, gql, MODES, TestEnv, tokenFor } from './harness';

const SUGGEST = `query($v: ID!, $first: Int!, $f: SuggestionFilterInput) {
  suggestBgm(videoId: $v, first: $first, filter: $f) { suggestions { score track { id } license { territoriesAllowed } } }
}`;

/**
 * Selective filters must not leave pages short: with 1% of the catalog licensed in Iceland, asking
 * for 50 suggestions there gives 50 (HNSW with iterative scan, exact scan as fallback).
 */
describe.each(MODES)('full pages under selective filters', (mode) => {
  describeMode(mode, () => {
    // The real-services run uses a 20k-track catalog; PGlite builds HNSW far slower, so 2k there.
    const size = mode === 'postgres+nats' ? 20_000 : 2_000;
    const env = new TestEnv(mode);
    let app: App;
    let token: string;
    let videoId: string;

    beforeAll(async () => {
      // The bulk load below is one statement that builds an HNSW index over 20k vectors: on a loaded
      // 2-core machine that outlasts the default 30 s statement timeout (a CI try timed out here).
      app = await env.start({ DATABASE_STATEMENT_TIMEOUT_MS: '600000' });
      token = await tokenFor(app, 'app');
      const model = await app.repos.models.upsert({
        name: 'pages',
        version: '1',
        dims: 512,
        artifactUri: 'memory://',
        manifest: {},
      });
      await app.repos.models.activate(model.id);
      // Bulk load: building the HNSW index (the migrations' build) once afterwards is much faster
      // than inserting into it; in memory on Postgres, as docs/OPERATIONS.md advises.
      // One transaction that writes rows and then builds an index on their table must fire the
      // catalog counter's deferred triggers per statement (docs/OPERATIONS.md, "Response cache").
      await app.db.sql.exec(`
        SET CONSTRAINTS ALL IMMEDIATE;
        DROP INDEX track_embedding_hnsw_idx;
        INSERT INTO track (title, artist, media_uri, content_hash, status, updated_at, duration_sec)
        SELECT 'T' || i, 'A', 'media://t' || i, 'h' || i, 'READY', now(), 120 FROM generate_series(1, ${size}) i;
        INSERT INTO license (track_id, licensor, territories_allowed)
        SELECT id, 'L', CASE WHEN (substr(title, 2)::int) % 100 = 0 THEN ARRAY['IS'] ELSE ARRAY['US'] END FROM track;
        INSERT INTO track_embedding (track_id, model_version_id, embedding)
        SELECT t.id, '${model.id}', (SELECT array_agg(random() - 0.5) FROM generate_series(1, 512) g WHERE t.id IS NOT NULL)::vector
        FROM track t;
        ${mode === 'postgres+nats' ? "SET maintenance_work_mem = '256MB';" : ''}
        ${trackIndexDdl(TRACK_INDEX_BUILD)};`);
      const video = await app.db.prisma.video.create({
        data: { ownerId: 'app-user', mediaUri: 'media://v', status: 'READY' },
      });
      videoId = video.id;
      await app.db.sql.exec(`
        INSERT INTO video_embedding (video_id, model_version_id, embedding)
        SELECT '${videoId}', '${model.id}', (SELECT array_agg(random() - 0.5) FROM generate_series(1, 512))::vector`);
    }, 600_000);
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    const first = Math.min(50, size / 100);
    it(`fills a page of ${first} from the 1% of ${size} tracks licensed for the territory, in score order`, async () => {
      const res = await gql(app, SUGGEST, { v: videoId, first, f: { territory: 'IS' } }, token);
      expect(res.errors).toBeUndefined();
      const s = res.data!.suggestBgm.suggestions;
      expect(s).toHaveLength(first);
      expect(s.every((x: any) => x.license.territoriesAllowed.includes('IS'))).toBe(true);
      const scores = s.map((x: any) => x.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      // The same 50 as an exact scan over the allowed tracks.
      const exact = await app.db.sql.query<{ id: string }>(`
        SELECT te.track_id::text AS id FROM track_embedding te JOIN license l ON l.track_id = te.track_id
        WHERE 'IS' = ANY(l.territories_allowed)
        ORDER BY (te.embedding <=> (SELECT embedding FROM video_embedding WHERE video_id = '${videoId}')) + 0 LIMIT ${first}`);
      const got = new Set(s.map((x: any) => x.track.id));
      const overlap = exact.filter((r) => got.has(r.id)).length;
      expect(overlap).toBeGreaterThanOrEqual(Math.floor(first * 0.9));
    });

    it('returns every valid track when fewer exist than asked for', async () => {
      await app.db.sql.exec(
        `UPDATE license SET territories_allowed = ARRAY['IS'] WHERE track_id IN (SELECT id FROM track WHERE title IN ('T1', 'T2', 'T3'))`,
      );
      await app.db.sql.exec(
        `UPDATE license SET territories_allowed = ARRAY['IS','NO'] WHERE track_id IN (SELECT id FROM track WHERE title IN ('T1', 'T2'))`,
      );
      const res = await gql(app, SUGGEST, { v: videoId, first: 50, f: { territory: 'NO' } }, token);
      expect(res.data!.suggestBgm.suggestions).toHaveLength(2);
    });
  });
});
