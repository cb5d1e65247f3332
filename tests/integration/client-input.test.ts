import { createHash } from 'node:crypto';
import type { App } from '../../src/app/start-app';
import { codes, describeMode, gql, MODES, tokenFor, useApp } from './harness';

const LIST = `query($filter: TrackFilterInput) { tracks(first: 50, filter: $filter) { edges { node { title artist } } } }`;

async function seed(app: App, title: string, artist: string) {
  return app.repos.tracks.create({
    title,
    artist,
    mediaUri: `media://${title}.ogg`,
    contentHash: createHash('sha256').update(title).digest('hex'),
    tags: [],
    moods: [],
  });
}

const titles = async (app: App, filter: Record<string, unknown>) => {
  const res = await gql(app, LIST, { filter });
  expect(res.errors).toBeUndefined();
  return (res.data!.tracks.edges as { node: { title: string } }[]).map((e) => e.node.title).sort();
};

describe.each(MODES)('client input (no 500s, no wildcards)', (mode) => {
  describeMode(mode, () => {
    const use = useApp(mode, { RUN_JOBS: 'false' });

    beforeAll(async () => {
      const app = use();
      await seed(app, '50% Off', 'Percy');
      await seed(app, '500 Days', 'Percy Sledge');
      await seed(app, 'Under_score', 'underscore');
      await seed(app, 'Back\\slash', 'Literal %');
      await seed(app, 'Plain', '%');
    });

    it('answers a NUL byte in any string argument with BAD_USER_INPUT and changes nothing', async () => {
      const app = use();
      const admin = await tokenFor(app, 'admin');
      for (const filter of [{ search: 'a\u0000b' }, { artist: '\u0000' }, { tag: 'x\u0000' }, { mood: '\u0000' }]) {
        const res = await gql(app, LIST, { filter });
        expect(res.status).toBe(400);
        expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      }
      // Written into the document rather than passed as a variable.
      // Twice: the walk over a document's literals is done once per parsed document (plugins.ts),
      // and a refused document must not count as walked.
      for (let i = 0; i < 2; i++) {
        const literal = await gql(app, '{ tracks(first: 1, filter: { search: "a\\u0000" }) { edges { cursor } } }');
        expect(codes(literal)).toEqual(['BAD_USER_INPUT']);
      }
      const track = (await app.db.prisma.track.findFirst({ where: { title: 'Plain' } }))!;
      const update = await gql(
        app,
        'mutation($id: ID!, $input: UpdateTrackInput!) { updateTrack(id: $id, input: $input) { title } }',
        { id: track.id, input: { title: 'Bad\u0000title', tags: ['ok', 'n\u0000'] } },
        admin,
      );
      expect(codes(update)).toEqual(['BAD_USER_INPUT']);
      expect((await app.db.prisma.track.findUnique({ where: { id: track.id } }))!.title).toBe('Plain');
    });

    it('matches artist exactly (ignoring case): LIKE wildcards and backslashes are plain characters', async () => {
      const app = use();
      expect(await titles(app, { artist: '%' })).toEqual(['Plain']);
      expect(await titles(app, { artist: '_ercy' })).toEqual([]);
      expect(await titles(app, { artist: 'percy' })).toEqual(['50% Off']);
      expect(await titles(app, { artist: 'Perc' })).toEqual([]);
      expect(await titles(app, { artist: '\\' })).toEqual([]);
      expect(await titles(app, { artist: 'literal %' })).toEqual(['Back\\slash']);
    });

    it('searches for the characters given: % _ and \\ match only themselves', async () => {
      const app = use();
      expect(await titles(app, { search: '50%' })).toEqual(['50% Off']);
      expect(await titles(app, { search: '%' })).toEqual(['50% Off', 'Back\\slash', 'Plain']);
      expect(await titles(app, { search: 'r_s' })).toEqual(['Under_score']);
      expect(await titles(app, { search: '_' })).toEqual(['Under_score']);
      expect(await titles(app, { search: '\\' })).toEqual(['Back\\slash']);
      expect(await titles(app, { search: 'percy' })).toEqual(['50% Off', '500 Days']);
    });
  });
});
