import type { ModelEvaluation } from '../../src/jobs/handlers/model-evaluation';
import { EVALUATE, finishedEvaluation, gateAppEnv, toneCatalog, videosWithChoices } from './gate-fixture';
import { codes, describeMode, gql, MODES, tokenFor, useApp } from './harness';
import { registerCandidate as candidate } from './model-archives';
import { modelDir } from './pipeline-helpers';

const ACTIVATE = `mutation($id: ID!, $force: Boolean!) { activateModelVersion(id: $id, force: $force) { id activationRequestedAt active } }`;

(modelDir() ? describe : describe.skip)('offline gate (issue 16)', () => {
  for (const mode of MODES) {
    describeMode(mode, () => {
      const app = useApp(mode, gateAppEnv());

      it('ranks held-out choices under the candidate and the active version, and gates activation on the verdict', async () => {
        const a = app();
        const admin = await tokenFor(a, 'admin');
        const trackIds = await toneCatalog(a, 'g');
        const same = await candidate(a, 'gate-same');

        // No choices yet: nothing to evaluate on.
        expect(codes(await gql(a, EVALUATE, { id: same, f: 0.5 }, admin))).toEqual(['FAILED_PRECONDITION']);
        const videoIds = await videosWithChoices(a, 'g', trackIds);
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

        const done = await finishedEvaluation(a, same);
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
      }, 300_000);
    });
  }
});
