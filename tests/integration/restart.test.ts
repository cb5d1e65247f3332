import { makeTone } from '../helpers/media';
import { describeMode, gql, MODES, TestEnv, tokenFor } from './harness';

describe.each(MODES)('restart', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    afterAll(() => env.cleanup());

    it('keeps data across a restart and publishes jobs left unfinished', async () => {
      makeTone(env.mediaRoot, 'a.ogg', 440, 1);
      // No job handlers: the job must still be PENDING after the restart.
      const first = await env.start({ RUN_JOBS: 'false' });
      const ingest = await gql(
        first,
        'mutation { ingestTracks(tracks: [{ mediaUri: "a.ogg", title: "Kept", artist: "A" }]) { created { track { id } } } }',
        {},
        await tokenFor(first, 'admin'),
      );
      expect(ingest.errors).toBeUndefined();
      await first.relay.flush();
      await first.stop();

      const second = await env.start({ RUN_JOBS: 'false' });
      try {
        const res = await gql(second, '{ tracks(first: 5) { edges { node { title } } } }');
        expect(res.data!.tracks.edges.map((e: any) => e.node.title)).toEqual(['Kept']);
        // The job is still PENDING (no worker ran); its message must be publishable again.
        await second.relay.flush();
        expect(await second.repos.outbox.unpublishedCount()).toBe(0);
        expect(await second.db.prisma.job.count({ where: { status: 'PENDING' } })).toBe(1);
      } finally {
        await second.stop();
      }
    });
  });
});
