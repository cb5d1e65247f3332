import fs from 'node:fs';
import type { App } from '../../src/app/start-app';
import { topicFor } from '../../src/jobs/topics';
import { copyDebianMusic } from '../helpers/debian-music';
import { MediaFixtures } from '../helpers/media-fixtures';
import { codes, describeMode, gql, grantUploads, MODES, TestEnv, tokenFor } from './harness';
import { ingest, modelDir, settledTracks, settledVideo } from './pipeline-helpers';

const MAX_MEDIA_BYTES = 20 * 1024 * 1024;

describe.each(MODES)('ingestion pipeline', (mode) => {
  const run = modelDir() ? describeMode : (m: typeof mode, fn: () => void) => describe.skip(`[${m}]`, fn);
  run(mode, () => {
    const env = new TestEnv(mode);
    const media = new MediaFixtures(env.mediaRoot);
    let app: App;
    let appToken: string;
    let admin: string;
    const trackCount = mode === 'postgres+nats' ? 20 : 4;

    beforeAll(async () => {
      app = await env.start({
        MODEL_DIR: modelDir()!,
        RUN_JOBS: 'true',
        MAX_TRACK_SECONDS: '600',
        MAX_MEDIA_BYTES: String(MAX_MEDIA_BYTES),
        JOB_RETRY_BASE_MS: '100',
        WORKER_ACK_WAIT_MS: '10000',
      });
      appToken = await tokenFor(app, 'app');
      admin = await tokenFor(app, 'admin');
    });
    afterAll(async () => {
      await app?.stop();
      await env.cleanup();
    });

    it(`embeds ${trackCount} real music files into READY tracks with per-window embeddings`, async () => {
      const names = copyDebianMusic(env.mediaRoot, trackCount);
      const ids = await ingest(
        app,
        names.map((n) => ({ mediaUri: n, title: n })),
      );
      const tracks = await settledTracks(app, ids);
      expect(tracks.filter((t) => t.status !== 'READY').map((t) => [t.title, t.error])).toEqual([]);
      const model = (await app.repos.models.findActive())!;
      expect(await app.db.prisma.trackEmbedding.count({ where: { modelVersionId: model.id } })).toBe(trackCount);
      for (const t of tracks) {
        const windows = await app.db.prisma.trackSegmentEmbedding.findMany({
          where: { trackId: t.id },
          orderBy: { windowIndex: 'asc' },
        });
        expect(windows.length).toBeGreaterThanOrEqual(Math.floor(t.durationSec! / 32));
        expect(windows.map((w) => w.startSec)).toEqual(windows.map((_, i) => 32 * i));
      }
      // Each track job also analyses the music (rhythm, loudness, vocal presence): on a loaded 2-core
      // machine 20 tracks outlasted the default 60 s (a CI try did); settledTracks waits up to 120 s.
    }, 180_000);

    it('embeds a video with a separate voice-over, and suggestBgm ranks the READY tracks for it', async () => {
      media.video('clip.mp4', 12, { size: '320x240', audio: false });
      const voice = media.speech('voice.wav', 'Here comes the final push. Watch this, it is going to be huge!');
      expect(voice).toBeDefined();
      await grantUploads(app, 'app-user', 'clip.mp4', 'voice.wav');
      const reg = await gql(
        app,
        'mutation { registerVideo(input: { mediaUri: "clip.mp4", voiceOverUri: "voice.wav" }) { video { id } } }',
        {},
        appToken,
      );
      const videoId = reg.data!.registerVideo.video.id as string;
      const video = await settledVideo(app, videoId);
      expect([video.status, video.error]).toEqual(['READY', null]);
      // The voice-over's timeline, from the whole file (espeak-ng: speech from its first ~0.1 s).
      const timeline = await gql(
        app,
        `{ video(id: "${videoId}") { voiceOver { segments { startSec endSec levelDbfs } coverage durationSec error detector } } }`,
        {},
        appToken,
      );
      const voiceOver = timeline.data!.video.voiceOver;
      expect(voiceOver.error).toBeNull();
      expect(voiceOver.detector).toMatch(/^silero-vad/);
      expect(voiceOver.segments.length).toBeGreaterThan(0);
      expect(voiceOver.segments[0].startSec).toBeLessThan(0.5);
      expect(voiceOver.segments.at(-1).endSec).toBeLessThanOrEqual(voiceOver.durationSec);
      expect(voiceOver.coverage).toBeGreaterThan(0.5);
      const suggest = async (filter: string) => {
        const res = await gql(
          app,
          `{ suggestBgm(videoId: "${videoId}", first: 10, filter: ${filter}) {
              suggestions { rank score reasons track { title status } } } }`,
          {},
          appToken,
        );
        expect(res.errors).toBeUndefined();
        return res.data!.suggestBgm.suggestions as { score: number; reasons: string[]; track: { status: string } }[];
      };
      const descending = (xs: number[]) => expect([...xs].sort((a, b) => b - a)).toEqual(xs);
      // The test model ships no reference queries: without the instrumental preference the order is the score's.
      const plain = await suggest('{ preferInstrumental: false }');
      expect(plain).toHaveLength(Math.min(10, trackCount));
      descending(plain.map((s) => s.score));
      expect(plain.every((s) => s.track.status === 'READY' && s.reasons.length === 0)).toBe(true);
      // With it (the default; this voice-over speaks most of the time) a track heard to have a voice
      // moves down and says so; the others keep the score's order among themselves.
      const preferred = await suggest('{}');
      expect(preferred).toHaveLength(plain.length);
      descending(preferred.filter((s) => s.reasons.length === 0).map((s) => s.score));
      for (const s of preferred.filter((x) => x.reasons.length > 0)) expect(s.reasons[0]).toMatch(/^ranked down by /);
    });

    it('fails each bad file alone with a clear reason, changes nothing else, and keeps serving', async () => {
      const real = copyDebianMusic(env.mediaRoot, 1)[0]!;
      media.randomBytes('not-media.ogg', 50_000);
      media.truncatedCopy(media.file(real), 'truncated.ogg');
      media.emptyWav('empty.wav');
      media.generate('silent.wav', ['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '5']);
      media.generate('too-long.ogg', [
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=200:duration=700:sample_rate=8000',
        '-ac',
        '1',
        '-c:a',
        'libvorbis',
        '-q:a',
        '0',
      ]);
      media.generate('grows.ogg', ['-f', 'lavfi', '-i', 'sine=frequency=300:duration=5']);
      media.video('mute.mp4', 5, { size: '160x120', audio: false });
      const before = await app.db.prisma.trackEmbedding.count();

      const cases: [string, RegExp][] = [
        ['not-media.ogg', /^NOT_MEDIA: /],
        ['truncated.ogg', /^TRUNCATED: /],
        ['empty.wav', /^(EMPTY_AUDIO|TOO_SHORT): /],
        ['silent.wav', /^SILENT_AUDIO: /],
        ['too-long.ogg', /^TOO_LONG: /],
        ['grows.ogg', /^TOO_LARGE: /],
      ];
      const ids = await ingest(
        app,
        cases.map(([f]) => ({ mediaUri: f, title: f })),
      );
      // The upload is replaced by an oversized file after it was accepted: the worker re-checks.
      fs.writeFileSync(media.file('grows.ogg'), Buffer.alloc(MAX_MEDIA_BYTES + 1));
      await grantUploads(app, 'app-user', 'mute.mp4');
      const mute = await gql(
        app,
        'mutation { registerVideo(input: { mediaUri: "mute.mp4" }) { video { id } } }',
        {},
        appToken,
      );

      const tracks = await settledTracks(app, ids);
      for (const [file, reason] of cases) {
        const t = tracks.find((r) => r.title === file)!;
        expect([file, t.status]).toEqual([file, 'FAILED']);
        expect(t.error).toMatch(reason);
      }
      const video = await settledVideo(app, mute.data!.registerVideo.video.id);
      expect(video.status).toBe('FAILED');
      expect(video.error).toMatch(/^NO_AUDIO: .*no separate voice-over/);
      expect(await app.db.prisma.trackEmbedding.count()).toBe(before);
      const failedJobs = await app.db.prisma.job.findMany({ where: { status: 'FAILED' } });
      expect(failedJobs).toHaveLength(cases.length + 1);
      expect(failedJobs.every((j) => j.attempts === 1)).toBe(true); // permanent: never retried

      // The worker is still serving.
      media.generate('after.ogg', ['-f', 'lavfi', '-i', 'sine=frequency=500:duration=40']);
      const [good] = await ingest(app, [{ mediaUri: 'after.ogg', title: 'after' }]);
      expect((await settledTracks(app, [good!]))[0]!.status).toBe('READY');
    });

    it('lists dead-lettered jobs for admins and retries one after its media is fixed', async () => {
      const page = await gql(
        app,
        '{ failedJobs(first: 20) { edges { node { id kind lastError payload } } } }',
        {},
        admin,
      );
      const notMedia = page
        .data!.failedJobs.edges.map((e: any) => e.node)
        .find((j: any) => /^NOT_MEDIA/.test(j.lastError));
      expect(notMedia).toBeDefined();
      expect(codes(await gql(app, '{ failedJobs(first: 5) { edges { node { id } } } }', {}, appToken))).toEqual([
        'FORBIDDEN',
      ]);
      media.generate('not-media.ogg', ['-f', 'lavfi', '-i', 'sine=frequency=620:duration=10']);
      const retried = await gql(app, `mutation { retryJob(id: "${notMedia.id}") { status attempts } }`, {}, admin);
      expect(retried.data!.retryJob).toEqual({ status: 'PENDING', attempts: 0 });
      const waiting = await app.db.prisma.track.findUniqueOrThrow({ where: { id: notMedia.payload.trackId } });
      expect(['PENDING', 'PROCESSING', 'READY']).toContain(waiting.status);
      const track = (await settledTracks(app, [notMedia.payload.trackId]))[0]!;
      expect([track.status, track.error]).toEqual(['READY', null]);
      const again = await gql(app, `mutation { retryJob(id: "${notMedia.id}") { id } }`, {}, admin);
      expect(codes(again)).toEqual(['FAILED_PRECONDITION']);
    });

    it('does no work twice when a job message is delivered again', async () => {
      const job = (await app.db.prisma.job.findFirst({ where: { kind: 'EMBED_TRACK', status: 'SUCCEEDED' } }))!;
      const track = job.payload as { trackId: string };
      const before = await app.db.prisma.trackSegmentEmbedding.findMany({ where: { trackId: track.trackId } });
      // Same msgId: dropped by the queue. New msgId (e.g. a re-published outbox row): the job row says it is done.
      expect(
        await app.queue.publish(topicFor('EMBED_TRACK'), { jobId: job.id, kind: job.kind }, `job:${job.id}:0`),
      ).toEqual({ duplicate: true });
      await app.queue.publish(topicFor('EMBED_TRACK'), { jobId: job.id, kind: job.kind }, `replay-${job.id}`);
      await new Promise((r) => setTimeout(r, 1500));
      const after = await app.db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      expect(after.attempts).toBe(job.attempts);
      const segments = await app.db.prisma.trackSegmentEmbedding.findMany({ where: { trackId: track.trackId } });
      expect(segments.map((s) => s.createdAt)).toEqual(before.map((s) => s.createdAt));
    });
  });
});
