import type { App } from '../../src/app/start-app';
import type { Principal } from '../../src/auth/principal';
import type { ModelVersionRecord } from '../../src/db/prisma-types';
import type { ModelEvaluation } from '../../src/jobs/handlers/model-evaluation';
import { EVALUATE, finishedEvaluation, gateAppEnv, toneCatalog, videosWithChoices } from './gate-fixture';
import { codes, describeMode, gql, MODES, tokenFor, useApp } from './harness';
import { registerCandidate as candidate } from './model-archives';
import { modelDir, servedRank, waitFor } from './pipeline-helpers';

const SET_SHARE = `mutation($id: ID!, $share: Float!) { setCanaryShare(id: $id, share: $share) { id canaryShare canaryStartedAt } }`;
const SUGGEST = `query($v: ID!) { suggestBgm(videoId: $v, first: 1) { modelVersion { id } suggestions { track { id } } } }`;
const ARM = `modelVersion { id } videos requests choices videosWithChoice choiceRate { value lower upper } rankedChoices meanRank topShare { value }`;
const REPORT = `query($id: ID!) { canaryReport(id: $id) { canary { id } canaryArm { ${ARM} } baselineArm { ${ARM} } choiceRateP rankP } }`;

/** Videos of the share test: how many, and the tolerance on the share they draw. */
const BULK_VIDEOS = 1200;
const BULK_SHARE = 0.3;
// The canary draws each video with probability `share` (a hash): over 1,200 videos the drawn share
// has a standard deviation of sqrt(0.3 x 0.7 / 1200) = 0.013, so 0.05 is 3.8 of them.
const SHARE_TOLERANCE = 0.05;

/** `n` READY videos of `ownerId` with copies of `like`'s embeddings under both versions (no media: never embedded again). */
async function bulkVideos(a: App, ownerId: string, like: string, versionIds: string[], n: number): Promise<string[]> {
  const rows = await a.db.prisma.$queryRaw<{ id: string }[]>`
    INSERT INTO video (id, owner_id, media_uri, status, updated_at)
    SELECT gen_random_uuid(), ${ownerId}, 'media://bulk/' || i || '.mp4', 'READY', now()
    FROM generate_series(1, ${n}::int) i
    RETURNING id::text`;
  const ids = rows.map((r) => r.id);
  await a.db.prisma.$executeRaw`
    INSERT INTO video_embedding (video_id, model_version_id, embedding)
    SELECT v, e.model_version_id, e.embedding
    FROM unnest(${ids}::uuid[]) v
    CROSS JOIN video_embedding e
    WHERE e.video_id = ${like}::uuid AND e.model_version_id = ANY(${versionIds}::uuid[])`;
  return ids;
}

/**
 * Checks that `videoIds`' voice-overs speak through more than the preference's minimum coverage,
 * makes `trackIds` sung throughout, and returns what puts their vocal presence back.
 */
async function singHeldOutTracks(a: App, videoIds: string[], trackIds: string[]): Promise<() => Promise<void>> {
  for (const id of videoIds) {
    const coverage = ((await a.repos.videos.findById(id))!.voiceActivity as { coverage?: number } | null)?.coverage;
    expect(coverage).toBeGreaterThan(a.config.instrumental.minCoverage);
  }
  const tracks = await a.db.prisma.$queryRaw<{ id: string; vp: number | null }[]>`
    SELECT track_id::text AS id, vocal_presence AS vp FROM track_analysis WHERE track_id = ANY(${trackIds}::uuid[])`;
  expect(tracks).toHaveLength(trackIds.length);
  await a.db.prisma.$executeRaw`UPDATE track_analysis SET vocal_presence = 1 WHERE track_id = ANY(${trackIds}::uuid[])`;
  return async () => {
    for (const t of tracks)
      await a.db.prisma.$executeRaw`UPDATE track_analysis SET vocal_presence = ${t.vp} WHERE track_id = ${t.id}::uuid`;
  };
}

const ACTIVATE = `mutation($id: ID!, $force: Boolean!) { activateModelVersion(id: $id, force: $force) { id activationRequestedAt active } }`;

interface GateState {
  a: App;
  same: string;
  worse: string;
  active: ModelVersionRecord;
  videoIds: string[];
  trackIds: string[];
  done: ModelEvaluation;
}

(modelDir() ? describe : describe.skip)('offline gate and canary (issue 16)', () => {
  for (const mode of MODES) {
    describeMode(mode, () => {
      const app = useApp(mode, gateAppEnv());

      // The tests of a mode run in order on one app: the canary starts from the candidate the gate passed.
      let state: GateState | undefined;
      const given = () => {
        if (!state) throw new Error('the gate test did not get far enough');
        return state;
      };

      it('ranks held-out choices under the candidate and the active version, and gates activation on the verdict', async () => {
        const a = app();
        const admin = await tokenFor(a, 'admin');
        const trackIds = await toneCatalog(a, 'g');
        const same = await candidate(a, 'gate-same');
        const active = (await a.repos.models.findActive())!;

        // No choices yet: nothing to evaluate on.
        expect(codes(await gql(a, EVALUATE, { id: same, f: 0.5 }, admin))).toEqual(['FAILED_PRECONDITION']);
        const videoIds = await videosWithChoices(a, 'g', trackIds, { speakingFrom: 2 });
        // Bounds and state: the active version is not a candidate; the fraction is bounded.
        expect(codes(await gql(a, EVALUATE, { id: active.id, f: 0.5 }, admin))).toEqual(['FAILED_PRECONDITION']);
        expect(codes(await gql(a, EVALUATE, { id: same, f: 0.95 }, admin))).toEqual(['BAD_USER_INPUT']);

        // The held-out videos' voice-overs speak through most of them and their chosen tracks are
        // sung: suggestBgm's instrumental preference ranks those tracks down, and so must the gate.
        const heldOut = videoIds.slice(2);
        const restore = await singHeldOutTracks(a, heldOut, trackIds.slice(2));
        const served = (videoId: string, trackId: string, preferInstrumental: boolean) =>
          servedRank(a, videoId, trackId, 4, { preferInstrumental });
        const servedRanks = await Promise.all(heldOut.map((v, i) => served(v, trackIds[i + 2]!, true)));
        const plainRanks = await Promise.all(heldOut.map((v, i) => served(v, trackIds[i + 2]!, false)));
        expect(servedRanks).not.toEqual(plainRanks);

        const asked = await gql(a, EVALUATE, { id: same, f: 0.5 }, admin);
        expect(asked.errors).toBeUndefined();
        const requested = asked.data!.evaluateModelVersion.evaluation as ModelEvaluation;
        // The newest half of the choices, in the order they were made.
        expect(requested.choices.map((c) => c.videoId)).toEqual(heldOut);
        expect(requested.baselineVersionId).toBe(active.id);

        const done = await finishedEvaluation(a, same);
        expect(done.status).toBe('DONE');
        const mean = (r: number[]) => Math.round((100 * r.reduce((x, y) => x + y, 0)) / r.length) / 100;
        expect(done.result!.baseline.meanRank).toBe(mean(servedRanks));
        await restore();
        // The same files under another name: every held-out choice ranks the same under both.
        expect(done.result).toMatchObject({ n: 2, ties: 2, better: 0, worse: 0, verdict: 'level' });
        expect(done.result!.candidate).toEqual(done.result!.baseline);
        // The candidate now covers the catalog it was compared on, and it was not activated by that.
        expect((await a.repos.models.findById(same))!.active).toBe(false);

        // A candidate the gate found worse is refused unless forced.
        const worse = await candidate(a, 'gate-worse');
        await a.repos.models.setEvaluation(worse, {
          ...done,
          result: {
            ...done.result!,
            verdict: 'worse',
            pWorse: 0.001,
            candidate: { ...done.result!.candidate, medianRank: 9 },
          },
        });
        const refused = await gql(a, ACTIVATE, { id: worse, force: false }, admin);
        expect(codes(refused)).toEqual(['FAILED_PRECONDITION']);
        expect(refused.errors![0]!.message).toMatch(
          /the gate found .*gate-worse worse than .*\(median rank 9 against .* force: true/,
        );
        expect((await a.repos.models.findById(worse))!.activationRequestedAt).toBeNull();
        state = { a, same, worse, active, videoIds, trackIds, done };
      }, 300_000);

      it('serves a share of videos from the candidate that passed, keeps each arm, and reports the choices', async () => {
        const { a, same: cand, worse, active, videoIds, trackIds } = given();
        const admin = await tokenFor(a, 'admin');
        const creator = await tokenFor(a, 'app', 'creator');
        // Not for a candidate the gate found worse, nor the active version, and a share is a fraction.
        const early = await gql(a, SET_SHARE, { id: worse, share: 0.5 }, admin);
        expect(codes(early)).toEqual(['FAILED_PRECONDITION']);
        expect(early.errors![0]!.message).toMatch(/the gate found it worse/);
        expect(codes(await gql(a, SET_SHARE, { id: cand, share: 1.5 }, admin))).toEqual(['BAD_USER_INPUT']);
        expect(codes(await gql(a, SET_SHARE, { id: active.id, share: 0.5 }, admin))).toEqual(['FAILED_PRECONDITION']);

        // Passing the gate created the rater experiment on the held-out videos (CANARY_SHARE is 0 here).
        const evaluation = (await a.repos.models.findById(cand))!.evaluation as unknown as ModelEvaluation;
        expect(evaluation.canary).toMatchObject({ share: 0 });
        const experiment = (await a.repos.experiments.findById(evaluation.canary!.experimentId!))!;
        expect(experiment.status).toBe('RUNNING');
        expect(experiment.arms.map((arm) => arm.modelVersionId)).toEqual([active.id, cand]);
        expect(await a.repos.experiments.videoIds(experiment.id)).toEqual(videoIds.slice(2));
        expect((await a.repos.models.findById(cand))!.canaryShare).toBe(0);

        // Share 1: a video without an embedding under the canary is served by the active version
        // while one is made for it, then by the canary; its choice keeps that arm.
        const started = await gql(a, SET_SHARE, { id: cand, share: 1 }, admin);
        expect(started.errors).toBeUndefined();
        expect(started.data!.setCanaryShare).toMatchObject({ canaryShare: 1 });
        expect(started.data!.setCanaryShare.canaryStartedAt).toBeTruthy();
        const first = await gql(a, SUGGEST, { v: videoIds[0] }, creator);
        expect(first.data!.suggestBgm.modelVersion.id).toBe(active.id);
        await waitFor(async () => {
          const res = await gql(a, SUGGEST, { v: videoIds[0] }, creator);
          return res.data!.suggestBgm.modelVersion.id === cand ? true : undefined;
        }, 'the canary to serve a video once embedded under it');
        const chose = await gql(
          a,
          `mutation { recordBgmChoice(videoId: "${videoIds[0]}", trackId: "${trackIds[0]}", rank: 1) { id servedVersionId canaryVersionId } }`,
          {},
          creator,
        );
        expect(chose.data!.recordBgmChoice).toMatchObject({ servedVersionId: cand, canaryVersionId: cand });
        // Operators see both arms in Prometheus (bgm_suggest_bgm_served_total), the canary by its name.
        const label = (m: { name: string; version: string }) => `${m.name}@${m.version}`;
        const served = (await a.metrics.suggestionsServed.get()).values.map((v) => [
          v.labels.arm,
          v.labels.model_version,
        ]);
        expect(served).toEqual(
          expect.arrayContaining([
            ['active', label(active)],
            ['canary', label((await a.repos.models.findById(cand))!)],
          ]),
        );

        // One canary at a time.
        const other = await candidate(a, 'canary-b');
        await a.repos.models.setEvaluation(other, { ...evaluation, canary: undefined });
        expect(codes(await gql(a, SET_SHARE, { id: other, share: 0.2 }, admin))).toEqual(['CONFLICT']);

        // The share over many videos, each keeping its arm across calls.
        expect((await gql(a, SET_SHARE, { id: cand, share: BULK_SHARE }, admin)).errors).toBeUndefined();
        const bulk = await bulkVideos(a, 'creator', videoIds[2]!, [active.id, cand], BULK_VIDEOS);
        const owner: Principal = { id: 'creator', roles: ['app'] };
        const arms = new Map<string, string>();
        for (let round = 0; round < 2; round++)
          for (const v of bulk) {
            const served = (await a.services.suggestions.suggestBgm(owner, v, 1)).modelVersion.id;
            if (round === 0) arms.set(v, served);
            else expect(served).toBe(arms.get(v));
          }
        const drawn = [...arms.values()].filter((id) => id === cand).length / BULK_VIDEOS;
        console.log(`canary share ${BULK_SHARE}: ${(drawn * 100).toFixed(1)}% of ${BULK_VIDEOS} videos (${mode})`);
        expect(Math.abs(drawn - BULK_SHARE)).toBeLessThan(SHARE_TOLERANCE);
        expect([...arms.values()].every((id) => id === cand || id === active.id)).toBe(true);

        // The report counts what was served and chosen on each arm.
        const report = await gql(a, REPORT, { id: cand }, admin);
        expect(report.errors).toBeUndefined();
        const r = report.data!.canaryReport;
        const canaryBulk = Math.round(drawn * BULK_VIDEOS);
        // video 0 was served by both arms (before and after its canary embedding).
        expect(r.canaryArm).toMatchObject({
          videos: canaryBulk + 1,
          choices: 1,
          videosWithChoice: 1,
          rankedChoices: 1,
        });
        expect(r.canaryArm.modelVersion.id).toBe(cand);
        expect(r.canaryArm.meanRank).toBe(1);
        expect(r.baselineArm).toMatchObject({ videos: BULK_VIDEOS - canaryBulk + 1, choices: 0, rankedChoices: 0 });
        expect(r.baselineArm.modelVersion.id).toBe(active.id);
        expect(r.canaryArm.requests + r.baselineArm.requests).toBeGreaterThanOrEqual(2 * BULK_VIDEOS + 3);
        expect(r.choiceRateP).toBeGreaterThan(0);
        expect(r.choiceRateP).toBeLessThanOrEqual(1);

        // Promotion ends the canary: the new active version serves everyone.
        const promoted = await gql(a, `mutation { activateModelVersion(id: "${cand}") { id } }`, {}, admin);
        expect(promoted.errors).toBeUndefined();
        await waitFor(
          async () => ((await a.repos.models.findActive())?.id === cand ? true : undefined),
          'the candidate to become active',
        );
        expect((await a.repos.models.findById(cand))!.canaryShare).toBe(0);
        expect(await a.repos.models.findCanary()).toBeNull();
        const after = await a.services.suggestions.suggestBgm(
          owner,
          bulk.find((v) => arms.get(v) === active.id)!,
          1,
        );
        expect(after.modelVersion.id).toBe(cand);
        // A choice now belongs to no canary.
        const late = await gql(
          a,
          `mutation { recordBgmChoice(videoId: "${videoIds[1]}", trackId: "${trackIds[1]}") { servedVersionId canaryVersionId } }`,
          {},
          creator,
        );
        expect(late.data!.recordBgmChoice).toEqual({ servedVersionId: null, canaryVersionId: null });
        // The evaluation the canary passed is kept for the record.
        expect(((await a.repos.models.findById(cand))!.evaluation as unknown as ModelEvaluation).canary).toBeDefined();
      }, 300_000);

      it('activates a candidate the gate found worse when forced', async () => {
        const { a, worse } = given();
        const admin = await tokenFor(a, 'admin');
        const forced = await gql(a, ACTIVATE, { id: worse, force: true }, admin);
        expect(forced.errors).toBeUndefined();
        expect(
          forced.data!.activateModelVersion.activationRequestedAt ?? forced.data!.activateModelVersion.active,
        ).toBeTruthy();
      });
    });
  }
});
