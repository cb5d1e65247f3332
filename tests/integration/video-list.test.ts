import { makeVideo } from '../helpers/media';
import { codes, describeMode, gql, grantUploads, MODES, tokenFor, useApp } from './harness';

const REGISTER = `mutation($i: RegisterVideoInput!) { registerVideo(input: $i) { video { id } } }`;
const LIST = `query($first: Int!, $after: String, $ownerId: String, $status: MediaStatus) {
  videos(first: $first, after: $after, ownerId: $ownerId, status: $status) {
    edges { cursor node { id ownerId status } } pageInfo { hasNextPage endCursor } } }`;

describe.each(MODES)('videos (a creator lists their videos)', (mode) => {
  describeMode(mode, () => {
    const use = useApp(mode, { RUN_JOBS: 'false', DEMO_CATALOG: 'false', MAX_PAGE_SIZE: '50' });

    it('pages through the caller’s own videos, newest first, and filters by status', async () => {
      const app = use();
      makeVideo(app.config.mediaRoot, 'l.mp4', 1);
      await grantUploads(app, 'alice', 'l.mp4');
      await grantUploads(app, 'bob', 'l.mp4');
      const alice = await tokenFor(app, 'app', 'alice');
      const bob = await tokenFor(app, 'app', 'bob');
      const mine: string[] = [];
      for (let i = 0; i < 3; i++) {
        const id = (await gql(app, REGISTER, { i: { mediaUri: 'l.mp4' } }, alice)).data!.registerVideo.video
          .id as string;
        // A second apart: registrations in the same millisecond would order by id.
        await app.db.prisma.video.update({
          where: { id },
          data: { createdAt: new Date(Date.UTC(2026, 10, 27, 12, 0, i)) },
        });
        mine.push(id);
      }
      const bobs = (await gql(app, REGISTER, { i: { mediaUri: 'l.mp4' } }, bob)).data!.registerVideo.video.id as string;

      const first = await gql(app, LIST, { first: 2 }, alice);
      expect(first.errors).toBeUndefined();
      expect(first.data!.videos.edges.map((e: any) => e.node.id)).toEqual([mine[2], mine[1]]);
      expect(first.data!.videos.pageInfo.hasNextPage).toBe(true);
      const second = await gql(app, LIST, { first: 2, after: first.data!.videos.pageInfo.endCursor }, alice);
      expect(second.data!.videos.edges.map((e: any) => e.node.id)).toEqual([mine[0]]);
      expect(second.data!.videos.pageInfo.hasNextPage).toBe(false);

      await app.db.prisma.video.update({ where: { id: mine[1] }, data: { status: 'READY' } });
      const ready = await gql(app, LIST, { first: 10, status: 'READY' }, alice);
      expect(ready.data!.videos.edges.map((e: any) => [e.node.id, e.node.status])).toEqual([[mine[1], 'READY']]);

      expect((await gql(app, LIST, { first: 10 }, bob)).data!.videos.edges.map((e: any) => e.node.id)).toEqual([bobs]);
      // A deleted video is gone from the list.
      expect(
        (await gql(app, 'mutation($id: ID!) { deleteVideo(id: $id) { videoId } }', { id: mine[2] }, alice)).errors,
      ).toBeUndefined();
      expect((await gql(app, LIST, { first: 10 }, alice)).data!.videos.edges.map((e: any) => e.node.id)).toEqual([
        mine[1],
        mine[0],
      ]);
    });

    it('lets only admins name another owner, and bounds the page', async () => {
      const app = use();
      makeVideo(app.config.mediaRoot, 'o.mp4', 1);
      await grantUploads(app, 'carol', 'o.mp4');
      const carol = await tokenFor(app, 'app', 'carol');
      const id = (await gql(app, REGISTER, { i: { mediaUri: 'o.mp4' } }, carol)).data!.registerVideo.video.id as string;
      const dave = await tokenFor(app, 'app', 'dave');
      expect(codes(await gql(app, LIST, { first: 5, ownerId: 'carol' }, dave))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(app, LIST, { first: 5 }))).toEqual(['UNAUTHENTICATED']);
      const admin = await tokenFor(app, 'admin');
      expect(
        (await gql(app, LIST, { first: 5, ownerId: 'carol' }, admin)).data!.videos.edges.map((e: any) => e.node.id),
      ).toEqual([id]);
      for (const vars of [
        { first: 0 },
        { first: 51 },
        { first: 5, after: 'not-a-cursor' },
        { first: 5, ownerId: '' },
      ]) {
        expect(codes(await gql(app, LIST, vars, carol))).toEqual(['BAD_USER_INPUT']);
      }
    });
  });
});
