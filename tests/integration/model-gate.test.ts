import type { App } from '../../src/app/start-app';
import type { ModelEvaluation } from '../../src/jobs/handlers/model-evaluation';
import { makeTone, makeVideo } from '../helpers/media';
import { codes, describeMode, gql, grantUploads, MODES, tokenFor, upload, useApp } from './harness';
import { archiveOf } from './model-archives';
import { ingest, modelDir, settledTracks, settledVideo, waitFor } from './pipeline-helpers';

const EVALUATE = `mutation($id: ID!, $f: Float!) { evaluateModelVersion(id: $id, heldOutFraction: $f) { id evaluation } }`;
const ACTIVATE = `mutation($id: ID!, $force: Boolean!) { activateModelVersion(id: $id, force: $force) { id activationRequestedAt active } }`;

/** A CANDIDATE registered from the bundled model's files under another version name. */
async function candidate(a: App, version: string): Promise<string> {
  const admin = await tokenFor(a, 'admin');
  const up = await upload(a, admin, archiveOf(version), 'model.zip');
  const res = await gql(
    a,
    `mutation($archive: String!) { registerModelVersion(input: { archive: $archive }) { id } }`,
    { archive: up.mediaUri },
    admin,
  );
  const id = res.data!.registerModelVersion.id as string;
  await waitFor(
    async () => ((await a.repos.models.findById(id))?.status === 'CANDIDATE' ? true : undefined),
    'the probe',
  );
  return id;
}

(modelDir() ? describe : describe.skip)('offline gate (issue 16)', () => {
  for (const mode of MODES) {
    describeMode(mode, () => {
      const app = useApp(mode, {
        MODEL_DIR: modelDir()!,
        RUN_JOBS: 'true',
        JOB_RETRY_BASE_MS: '100',
        ACTIVATION_CHECK_INTERVAL_MS: '200',
      });

      it('ranks held-out choices under the candidate and the active version, and gates activation on the verdict', async () => {
        const a = app();
        const admin = await tokenFor(a, 'admin');
        const creator = await tokenFor(a, 'app', 'creator');
        const root = a.config.mediaRoot;
        const hz = [300, 420, 560, 700];
        hz.forEach((f) => makeTone(root, `g${f}.ogg`, f, 40));
        const trackIds = await ingest(
          a,
          hz.map((f) => ({ mediaUri: `g${f}.ogg`, title: `g${f}` })),
        );
        expect((await settledTracks(a, trackIds)).every((t) => t.status === 'READY')).toBe(true);
        const same = await candidate(a, 'gate-same');

        // No choices yet: nothing to evaluate on.
        expect(codes(await gql(a, EVALUATE, { id: same, f: 0.5 }, admin))).toEqual(['FAILED_PRECONDITION']);
        const videoIds: string[] = [];
        for (let i = 0; i < 4; i++) {
          makeVideo(root, `g-v${i}.mp4`, 4);
          await grantUploads(a, 'creator', `g-v${i}.mp4`);
          const reg = await gql(
            a,
            `mutation { registerVideo(input: { mediaUri: "g-v${i}.mp4" }) { video { id } } }`,
            {},
            creator,
          );
          const id = reg.data!.registerVideo.video.id as string;
          expect((await settledVideo(a, id)).status).toBe('READY');
          videoIds.push(id);
          const chose = await gql(
            a,
            `mutation { recordBgmChoice(videoId: "${id}", trackId: "${trackIds[i]}", startSec: 2) { id } }`,
            {},
            creator,
          );
          expect(chose.errors).toBeUndefined();
        }
        // Bounds and state: the active version is not a candidate; the fraction is bounded.
        const active = (await a.repos.models.findActive())!;
        expect(codes(await gql(a, EVALUATE, { id: active.id, f: 0.5 }, admin))).toEqual(['FAILED_PRECONDITION']);
        expect(codes(await gql(a, EVALUATE, { id: same, f: 0.95 }, admin))).toEqual(['BAD_USER_INPUT']);

        const asked = await gql(a, EVALUATE, { id: same, f: 0.5 }, admin);
        expect(asked.errors).toBeUndefined();
        const requested = asked.data!.evaluateModelVersion.evaluation as ModelEvaluation;
        // The newest half of the choices, in the order they were made.
        expect(requested.choices.map((c) => c.videoId)).toEqual(videoIds.slice(2));
        expect(requested.baselineVersionId).toBe(active.id);

        const done = await waitFor(async () => {
          const e = (await a.repos.models.findById(same))!.evaluation as unknown as ModelEvaluation;
          return e.status === 'PREPARING' ? undefined : e;
        }, 'the gate to finish');
        expect(done.status).toBe('DONE');
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
        const forced = await gql(a, ACTIVATE, { id: worse, force: true }, admin);
        expect(forced.errors).toBeUndefined();
        expect(
          forced.data!.activateModelVersion.activationRequestedAt ?? forced.data!.activateModelVersion.active,
        ).toBeTruthy();
      });
    });
  }
});
