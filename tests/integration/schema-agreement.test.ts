import { createLogger } from '../../src/common/logger';
import { openDatabase, type Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrator';
import { unitVector } from '../helpers/media';
import { describeMode, MODES, TestEnv } from './harness';

/**
 * schema.prisma and the hand-written SQL migrations must agree: every model, with every field
 * set, is written through Prisma on a migrated database and read back unchanged.
 */
describe.each(MODES)('schema.prisma agrees with prisma/migrations', (mode) => {
  describeMode(mode, () => {
    const env = new TestEnv(mode);
    let db: Database;
    beforeAll(async () => {
      db = await openDatabase((await env.config()).database, createLogger('silent'));
      await migrate(db.sql);
    });
    afterAll(async () => {
      await db?.close();
      await env.cleanup();
    });

    it('round-trips every model with every field set', async () => {
      const p = db.prisma;
      const at = new Date('2026-01-02T03:04:05.678Z');
      const track = await p.track.create({
        data: {
          title: 't',
          artist: 'a',
          durationSec: 12.5,
          mediaUri: 'media://t.ogg',
          contentHash: 'h1',
          tags: ['x', 'y'],
          moods: ['calm'],
          bpm: 120.5,
          status: 'FAILED',
          error: 'e',
          retiredAt: at,
        },
      });
      expect(await p.track.findUniqueOrThrow({ where: { id: track.id } })).toEqual(track);
      expect(track).toMatchObject({ tags: ['x', 'y'], bpm: 120.5, retiredAt: at, status: 'FAILED' });

      const license = await p.license.create({
        data: {
          trackId: track.id,
          licensor: 'l',
          territoriesAllowed: ['US'],
          territoriesDenied: ['DE'],
          platforms: ['ios'],
          commercialUse: true,
          attribution: 'by',
          validFrom: at,
          validTo: at,
        },
      });
      expect(await p.license.findUniqueOrThrow({ where: { id: license.id } })).toEqual(license);

      const analysis = await p.trackAnalysis.create({
        data: {
          trackId: track.id,
          analyzerVersion: 1,
          tempoBpm: 121.5,
          beats: [0.5, 1.0],
          downbeats: [0.5],
          energyHopSec: 0.5,
          energyDb: [-20.1, -100],
          rhythmError: 'r',
          loudnessLufs: -14.2,
          truePeakDbtp: -1.1,
          loudnessRangeLu: 6.3,
          loudnessError: 'l',
          analyzedAt: at,
        },
      });
      expect(await p.trackAnalysis.findUniqueOrThrow({ where: { trackId: track.id } })).toEqual(analysis);

      const video = await p.video.create({
        data: {
          ownerId: 'o',
          mediaUri: 'media://v.mp4',
          voiceOverUri: 'media://vo.wav',
          durationSec: 3,
          status: 'READY',
          error: null,
        },
      });
      expect(await p.video.findUniqueOrThrow({ where: { id: video.id } })).toEqual(video);

      const model = await p.modelVersion.create({
        data: {
          name: 'm',
          version: '1',
          dims: 512,
          artifactUri: 'file:///m',
          manifest: { a: [1, 2] },
          metrics: { r10: 0.5 },
          active: true,
          activatedAt: at,
        },
      });
      expect(await p.modelVersion.findUniqueOrThrow({ where: { id: model.id } })).toEqual(model);

      const job = await p.job.create({
        data: {
          kind: 'REEMBED_CATALOG',
          payload: { k: 'v' },
          status: 'FAILED',
          attempts: 3,
          maxAttempts: 7,
          lastError: 'x',
          startedAt: at,
          finishedAt: at,
          rearms: 2,
          msgId: 'job:x:2',
        },
      });
      expect(await p.job.findUniqueOrThrow({ where: { id: job.id } })).toEqual(job);

      const outbox = await p.outboxMessage.create({
        data: { subject: 's', payload: { jobId: job.id }, msgId: 'm1', attempts: 1, lastError: 'e', publishedAt: at },
      });
      expect(await p.outboxMessage.findUniqueOrThrow({ where: { id: outbox.id } })).toEqual(outbox);

      // Vector columns are Unsupported in Prisma: written and read through raw SQL.
      const v = unitVector(512, 5);
      await p.$executeRaw`INSERT INTO track_embedding (track_id, model_version_id, embedding) VALUES (${track.id}::uuid, ${model.id}::uuid, ${JSON.stringify(v)}::vector)`;
      await p.$executeRaw`INSERT INTO video_embedding (video_id, model_version_id, embedding) VALUES (${video.id}::uuid, ${model.id}::uuid, ${JSON.stringify(v)}::vector)`;
      const te = await p.trackEmbedding.findFirstOrThrow({ where: { trackId: track.id } });
      expect(te.modelVersionId).toBe(model.id);
      const ve = await p.videoEmbedding.findFirstOrThrow({ where: { videoId: video.id } });
      expect(ve.modelVersionId).toBe(model.id);
    });

    it('enforces the unique keys the schema declares', async () => {
      const p = db.prisma;
      await expect(
        p.track.create({ data: { title: 't', artist: 'a', mediaUri: 'm', contentHash: 'h1' } }),
      ).rejects.toThrow();
      await expect(
        p.modelVersion.create({ data: { name: 'm', version: '1', dims: 512, artifactUri: 'x', manifest: {} } }),
      ).rejects.toThrow();
      // Second active model version refused by the partial unique index.
      await expect(
        p.modelVersion.create({
          data: { name: 'm', version: '2', dims: 512, artifactUri: 'x', manifest: {}, active: true },
        }),
      ).rejects.toThrow();
    });

    it('round-trips the experiment and choice models, and enforces one vote per task and rater', async () => {
      const p = db.prisma;
      const at = new Date('2026-03-04T05:06:07.890Z');
      const track = await p.track.create({
        data: { title: 'x', artist: 'a', mediaUri: 'media://x.ogg', contentHash: 'h-experiment' },
      });
      const video = await p.video.create({ data: { ownerId: 'o', mediaUri: 'media://x.mp4', status: 'READY' } });
      const model = await p.modelVersion.create({
        data: {
          name: 'exp',
          version: '1',
          dims: 512,
          artifactUri: 'x',
          manifest: {},
          canaryShare: 0.25,
          canaryStartedAt: at,
        },
      });
      expect(await p.modelVersion.findUniqueOrThrow({ where: { id: model.id } })).toEqual(model);
      // One canary at a time (partial unique index), and a share is a fraction (check constraint).
      await expect(
        p.modelVersion.create({
          data: { name: 'exp', version: '2', dims: 512, artifactUri: 'x', manifest: {}, canaryShare: 0.1 },
        }),
      ).rejects.toThrow();
      await expect(
        p.modelVersion.create({
          data: { name: 'exp', version: '3', dims: 512, artifactUri: 'x', manifest: {}, canaryShare: 1.5 },
        }),
      ).rejects.toThrow();
      const serving = await p.canaryServing.create({
        data: {
          canaryVersionId: model.id,
          videoId: video.id,
          servedVersionId: model.id,
          requests: 3,
          firstServedAt: at,
          lastServedAt: at,
        },
      });
      expect(
        await p.canaryServing.findUniqueOrThrow({
          where: {
            canaryVersionId_videoId_servedVersionId: {
              canaryVersionId: model.id,
              videoId: video.id,
              servedVersionId: model.id,
            },
          },
        }),
      ).toEqual(serving);

      const experiment = await p.experiment.create({ data: { name: 'e', description: 'd', status: 'RUNNING' } });
      expect(await p.experiment.findUniqueOrThrow({ where: { id: experiment.id } })).toEqual(experiment);
      const armA = await p.experimentArm.create({
        data: {
          experimentId: experiment.id,
          position: 0,
          label: 'model',
          kind: 'MODEL_VERSION',
          modelVersionId: model.id,
          config: { k: [1] },
        },
      });
      const armB = await p.experimentArm.create({
        data: { experimentId: experiment.id, position: 1, label: 'tags', kind: 'TAG_SEARCH', config: { tags: ['x'] } },
      });
      expect(await p.experimentArm.findUniqueOrThrow({ where: { id: armA.id } })).toEqual(armA);
      expect(
        (
          await p.experimentArm.create({
            data: { experimentId: experiment.id, position: 2, label: 'r', kind: 'RANDOM' },
          })
        ).config,
      ).toEqual({});
      const ev = await p.experimentVideo.create({
        data: { experimentId: experiment.id, videoId: video.id, position: 0 },
      });
      expect(
        await p.experimentVideo.findUniqueOrThrow({
          where: { experimentId_videoId: { experimentId: experiment.id, videoId: video.id } },
        }),
      ).toEqual(ev);

      const task = await p.preferenceTask.create({
        data: {
          experimentId: experiment.id,
          videoId: video.id,
          raterId: 'r1',
          firstArmId: armA.id,
          firstTrackId: track.id,
          firstStartSec: 32.5,
          secondArmId: armB.id,
          secondTrackId: track.id,
          secondStartSec: 0,
          firstIsA: true,
          sameTrack: true,
          createdAt: at,
          expiresAt: at,
        },
      });
      expect(await p.preferenceTask.findUniqueOrThrow({ where: { id: task.id } })).toEqual(task);
      const vote = await p.preferenceVote.create({
        data: { taskId: task.id, raterId: 'r1', choice: 'NEUTRAL', createdAt: at },
      });
      expect(await p.preferenceVote.findUniqueOrThrow({ where: { id: vote.id } })).toEqual(vote);
      await expect(
        p.preferenceVote.create({ data: { taskId: task.id, raterId: 'r1', choice: 'A' } }),
      ).rejects.toThrow();
      await expect(
        p.experimentArm.create({ data: { experimentId: experiment.id, position: 5, label: 'model', kind: 'RANDOM' } }),
      ).rejects.toThrow();

      const choice = await p.bgmChoice.create({
        data: {
          videoId: video.id,
          trackId: track.id,
          userId: 'o',
          rank: 3,
          startSec: 1.5,
          servedVersionId: model.id,
          canaryVersionId: model.id,
          createdAt: at,
        },
      });
      expect(await p.bgmChoice.findUniqueOrThrow({ where: { id: choice.id } })).toEqual(choice);
      // Evaluation data is not erased by deleting what it points at.
      await expect(p.track.delete({ where: { id: track.id } })).rejects.toThrow();
      await p.experiment.delete({ where: { id: experiment.id } });
      expect(await p.preferenceVote.count({ where: { taskId: task.id } })).toBe(0);
    });

    it('round-trips an upload row, one per file and uploader', async () => {
      const p = db.prisma;
      const at = new Date('2026-01-02T03:04:05.678Z');
      const data = { mediaUri: 'media://uploads/x.mp4', ownerId: 'alice', sizeBytes: 5n * 1024n ** 3n, createdAt: at };
      const row = await p.upload.create({ data: { ...data, registeredAt: at } });
      expect(row).toEqual({ ...data, registeredAt: at });
      expect(
        await p.upload.findUniqueOrThrow({
          where: { mediaUri_ownerId: { mediaUri: data.mediaUri, ownerId: 'alice' } },
        }),
      ).toEqual(row);
      await expect(p.upload.create({ data })).rejects.toThrow();
      expect((await p.upload.create({ data: { ...data, ownerId: 'bob' } })).registeredAt).toBeNull();
    });

    it('has an HNSW cosine index on the track and video embeddings', async () => {
      const rows = await db.sql.query<{ tablename: string; indexdef: string }>(
        "SELECT tablename, indexdef FROM pg_indexes WHERE indexdef ILIKE '%USING hnsw%' ORDER BY tablename",
      );
      expect(rows.map((r) => r.tablename)).toEqual(['track_embedding', 'video_embedding']);
      expect(rows.every((r) => r.indexdef.includes('vector_cosine_ops'))).toBe(true);
    });

    it('keeps every embedding in its row (PLAIN storage: a 512-d vector is just over the TOAST threshold)', async () => {
      const rows = await db.sql.query<{ table: string; storage: string }>(
        `SELECT c.relname AS "table", a.attstorage::text AS storage
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
         WHERE t.typname = 'vector' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
           AND c.relnamespace = 'public'::regnamespace
         ORDER BY 1`,
      );
      expect(rows).toEqual([
        { table: 'track_embedding', storage: 'p' },
        { table: 'track_segment_embedding', storage: 'p' },
        { table: 'video_embedding', storage: 'p' },
      ]);
    });
  });
});
