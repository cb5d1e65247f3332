import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import type { App } from '../../src/app/start-app';
import { createLogger } from '../../src/common/logger';
import { ModelRegistryService } from '../../src/modules/model-version/model-registry.service';
import { openMediaStorage } from '../../src/storage/open-media-storage';
import { codes, describeMode, gql, MODES, tokenFor, upload, useApp } from './harness';
import { storedExists, storedNames } from './object-store';
import { archiveOf } from './model-archives';
import { modelDir, waitFor } from './pipeline-helpers';

const FIELDS = 'id name version status statusReason active lineage probe';

(modelDir() ? describe : describe.skip)('model registry (issue 16)', () => {
  for (const mode of MODES) {
    describeMode(mode, () => {
      const app = useApp(mode, { MODEL_DIR: modelDir()!, RUN_JOBS: 'true', JOB_RETRY_BASE_MS: '100' });

      const register = async (a: App, archive: Buffer, extra: Record<string, unknown> = {}) => {
        const admin = await tokenFor(a, 'admin');
        const up = await upload(a, admin, archive, 'model.zip');
        expect(up.status).toBe(201);
        const res = await gql(
          a,
          `mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { ${FIELDS} } }`,
          { input: { archive: up.mediaUri, ...extra } },
          admin,
        );
        return { res, archiveUri: up.mediaUri! };
      };
      const settled = (a: App, id: string) =>
        waitFor(async () => {
          const m = await a.repos.models.findById(id);
          return m && m.status !== 'VALIDATING' ? m : undefined;
        }, 'the probe to finish');
      const mutate = async (a: App, query: string) => gql(a, query, {}, await tokenFor(a, 'admin'));

      it('registers an uploaded archive, probes it in a worker, stores its files, and activates the candidate', async () => {
        const a = app();
        const active = (await a.repos.models.findActive())!;
        const { res, archiveUri } = await register(a, archiveOf('reg-ok', { 'README.md': Buffer.from('# card') }), {
          parentVersionId: active.id,
          notes: 'trained on snapshot s-1',
        });
        expect(res.errors).toBeUndefined();
        const created = res.data!.registerModelVersion;
        expect(created).toMatchObject({ version: 'reg-ok', status: 'VALIDATING', active: false });
        expect(created.lineage).toMatchObject({
          parentVersionId: active.id,
          notes: 'trained on snapshot s-1',
          registeredBy: 'admin-user',
        });
        expect(created.lineage.training).toBeTruthy();
        // The model card rode along in the zip; only the files the manifest names are stored.
        expect(created.lineage.ignoredFiles).toEqual(['README.md']);

        const model = await settled(a, created.id);
        expect(model.status).toBe('CANDIDATE');
        const probe = model.probe as { queryNorm: number; bgmNorms: number[]; repeatDiff: number };
        expect(Math.abs(probe.queryNorm - 1)).toBeLessThan(1e-3);
        expect(probe.bgmNorms.every((n) => Math.abs(n - 1) < 1e-3)).toBe(true);
        expect(probe.repeatDiff).toBeLessThanOrEqual(1e-5);
        // The files live in the media store (every worker loads them from there); the archive is gone.
        expect(model.artifactUri).toBe(`media://models/${model.name}/reg-ok`);
        expect((await storedNames(a, `models/${model.name}/reg-ok`)).sort()).toEqual(
          ['bgm.onnx', 'manifest.json', 'query.onnx', 'reference-queries.f32'].filter((n) =>
            fs.existsSync(path.join(modelDir()!, n)),
          ),
        );
        expect(await storedExists(a, archiveUri)).toBe(false);

        const listed = await mutate(a, `{ modelVersions { id status } }`);
        expect(listed.data!.modelVersions).toEqual(expect.arrayContaining([{ id: model.id, status: 'CANDIDATE' }]));
        // An empty catalog is covered at once: the candidate becomes active.
        const act = await mutate(a, `mutation { activateModelVersion(id: "${model.id}") { active status } }`);
        expect(act.data!.activateModelVersion).toEqual({ active: true, status: 'CANDIDATE' });
        // Put the bundled version back for the other tests.
        await mutate(a, `mutation { activateModelVersion(id: "${active.id}") { active } }`);
        expect((await a.repos.models.findActive())!.id).toBe(active.id);
      });

      it('refuses malformed or incompatible archives with the reason, and stores nothing', async () => {
        const a = app();
        const before = (await a.repos.models.list()).length;
        const cases: [Buffer, RegExp][] = [
          [Buffer.from('not a zip'), /archive: not a zip archive/],
          [archiveOf('reg-dim', {}, (m) => (m.embeddingDim = 256)), /embeddingDim/],
          [archiveOf('reg-hash', {}, (m) => (m.sha256['bgm.onnx'] = '0'.repeat(64))), /bgm\.onnx: sha256 .* differs/],
          [archiveOf('reg-nohash', {}, (m) => delete m.sha256['query.onnx']), /no sha256 for query\.onnx/],
          [archiveOf('reg-nofile', {}, (m) => (m.files.bgm = 'other.onnx')), /missing model file other\.onnx/],
        ];
        for (const [archive, reason] of cases) {
          const { res, archiveUri } = await register(a, archive);
          expect(codes(res)).toEqual(['BAD_USER_INPUT']);
          expect(res.errors![0]!.message).toMatch(reason);
          expect(res.errors![0]!.message).not.toMatch(/bgm-model-archive-/); // no scratch paths
          // The refused upload stays the admin's (to fix and retry), nothing else was stored.
          expect(await storedExists(a, archiveUri)).toBe(true);
        }
        expect((await a.repos.models.list()).length).toBe(before);
        const name = (await a.repos.models.findActive())!.name;
        for (const v of ['reg-dim', 'reg-hash', 'reg-nohash', 'reg-nofile'])
          expect(await storedNames(a, `models/${name}/${v}`)).toEqual([]);
        // Only admins register; only .zip archives are taken.
        const appToken = await tokenFor(a, 'app');
        const up = await upload(a, appToken, archiveOf('reg-app'), 'model.zip');
        const byApp = await gql(
          a,
          `mutation { registerModelVersion(input: { archive: "${up.mediaUri}" }) { id } }`,
          {},
          appToken,
        );
        expect(codes(byApp)).toEqual(['FORBIDDEN']);
      });

      it('rejects a version whose graph does not run, and refuses to activate it', async () => {
        const a = app();
        const { res } = await register(a, archiveOf('reg-broken', { 'bgm.onnx': Buffer.from('not an onnx graph') }));
        expect(res.errors).toBeUndefined();
        const model = await settled(a, res.data!.registerModelVersion.id);
        expect(model.status).toBe('REJECTED');
        expect(model.statusReason).toMatch(/did not run on the probe input/);
        const act = await mutate(a, `mutation { activateModelVersion(id: "${model.id}") { id } }`);
        expect(codes(act)).toEqual(['FAILED_PRECONDITION']);
        expect(act.errors![0]!.message).toMatch(/is REJECTED \(the model did not run/);
        const again = await register(a, archiveOf('reg-broken'));
        expect(codes(again.res)).toEqual(['CONFLICT']);
      });

      it("registers an exported folder as the training job's last step does (parent: the active version)", async () => {
        const a = app();
        const active = (await a.repos.models.findActive())!;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-reg-folder-'));
        try {
          new AdmZip(archiveOf('reg-folder')).extractAllTo(dir);
          const registry = new ModelRegistryService(
            a.uow,
            openMediaStorage(a.config),
            () => undefined,
            createLogger('silent'),
          );
          const job = { id: 'training-job', roles: ['admin' as const] };
          const created = await registry.registerFolder(job, path.join(dir, 'model'), {
            parentVersionId: active.id,
            notes: 'snapshot p1',
          });
          expect(created.status).toBe('VALIDATING');
          expect(created.lineage).toMatchObject({ registeredBy: 'training-job', parentVersionId: active.id });
          // The relay of the running app delivers the job the command's transaction queued.
          expect((await settled(a, created.id)).status).toBe('CANDIDATE');
          await expect(registry.registerFolder(job, path.join(dir, 'model'), {})).rejects.toThrow(/already registered/);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });

      it('retires and deletes versions, never the active one', async () => {
        const a = app();
        const active = (await a.repos.models.findActive())!;
        const { res } = await register(a, archiveOf('reg-retire'));
        const model = await settled(a, res.data!.registerModelVersion.id);
        expect(model.status).toBe('CANDIDATE');
        for (const q of [
          `mutation { retireModelVersion(id: "${active.id}") { id } }`,
          `mutation { deleteModelVersion(id: "${active.id}") { id } }`,
        ]) {
          const r = await mutate(a, q);
          expect(codes(r)).toEqual(['FAILED_PRECONDITION']);
          expect(r.errors![0]!.message).toMatch(/the active version cannot be/);
        }
        const retired = await mutate(
          a,
          `mutation { retireModelVersion(id: "${model.id}", reason: "superseded") { status statusReason } }`,
        );
        expect(retired.data!.retireModelVersion).toEqual({ status: 'RETIRED', statusReason: 'superseded' });
        const act = await mutate(a, `mutation { activateModelVersion(id: "${model.id}") { id } }`);
        expect(codes(act)).toEqual(['FAILED_PRECONDITION']);
        const deleted = await mutate(a, `mutation { deleteModelVersion(id: "${model.id}") { id version } }`);
        expect(deleted.data!.deleteModelVersion).toEqual({ id: model.id, version: 'reg-retire' });
        expect(await a.repos.models.findById(model.id)).toBeNull();
        expect(await storedNames(a, `models/${model.name}/reg-retire`)).toEqual([]);
        expect((await a.repos.models.findActive())!.id).toBe(active.id);
      });
    });
  }
});
