import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config/config';
import { mediaStoreEnv } from '../../../src/config/media-store-config';
import { JobKind } from '../../../src/generated/prisma/enums';
import { consumerName, defaultDurable } from '../../../src/jobs/queue/nats.queue';
import { topicFor } from '../../../src/jobs/topics';
import { crdProblems } from './crd-checks';
import { hasModel, schemaErrors, unknownFields } from './k8s-schema';
import { containersOf, identity, type K8sObject, podSpecOf, readYamlObjects, render } from './kustomize-lite';

const ROOT = path.resolve(__dirname, '../../..');
const K8S = path.join(ROOT, 'deploy', 'k8s');
const TARGETS = { base: 'base', dev: 'overlays/dev', prod: 'overlays/prod' } as const;
const rendered = Object.fromEntries(
  Object.entries(TARGETS).map(([name, dir]) => [name, render(path.join(K8S, dir))]),
) as Record<keyof typeof TARGETS, K8sObject[]>;

const yamlFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });

/** Environment variable names the backend reads: the keys of envSchema in src/config/config.ts. */
function configEnvNames(): Set<string> {
  const source = fs.readFileSync(path.join(ROOT, 'src/config/config.ts'), 'utf8');
  const schema = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)![1]!;
  // envSchema spreads in the media-store variables (src/config/media-store-config.ts).
  return new Set([
    ...[...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!),
    ...Object.keys(mediaStoreEnv.shape),
  ]);
}
// Read outside config.ts: media/ffmpeg-binary.ts, Node itself.
const OTHER_ENV = new Set(['FFMPEG_PATH', 'FFPROBE_PATH', 'NODE_OPTIONS']);
// Secrets the manifests expect but do not create: CNPG writes <cluster>-app; operators create the rest.
// bgm-s3 is optional where pods get store credentials from their IAM role (IRSA).
const EXTERNAL_SECRETS = { base: ['bgm-secrets', 'bgm-s3'], dev: [], prod: ['bgm-secrets', 'bgm-backup-s3', 'bgm-s3'] };
const SECRET_PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: 'postgresql://bgm:pw@bgm-pg-rw:5432/bgm',
  JWT_SECRET: 'x'.repeat(48),
};

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const workloads = (objects: K8sObject[]) => objects.filter((o) => podSpecOf(o));
const labelsMatch = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const podLabels = (o: K8sObject) => (o.spec as any).template.metadata.labels as Record<string, string>;

describe('deploy/k8s manifests', () => {
  it('parses every YAML file, and every manifest is used by a kustomization', () => {
    const files = yamlFiles(K8S);
    for (const f of files) expect(() => readYamlObjects(f)).not.toThrow();
    const used = new Set<string>();
    for (const k of files.filter((f) => path.basename(f) === 'kustomization.yaml')) {
      const doc = parse(fs.readFileSync(k, 'utf8'));
      for (const r of [...(doc.resources ?? []), ...(doc.patches ?? []).map((p: { path: string }) => p.path)])
        used.add(path.resolve(path.dirname(k), r));
    }
    const orphans = files.filter(
      (f) => path.basename(f) !== 'kustomization.yaml' && f !== path.join(K8S, 'nats-values.yaml') && !used.has(f),
    );
    expect(orphans.map((f) => path.relative(K8S, f))).toEqual([]);
  });

  it('catches what it is meant to catch (a broken Deployment fails both checks)', () => {
    const broken = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: '4000' }], readinesProbe: {} }] },
        },
      },
    } as unknown as K8sObject;
    expect(schemaErrors([broken])[0]!.join('\n')).toMatch(/containerPort must be integer/);
    expect(unknownFields(broken)).toEqual(['/spec/template/spec/containers/0/readinesProbe']);
    expect(
      crdProblems({
        ...broken,
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        spec: { triggers: [{ type: 'nats-jetstream', metadata: { lagThreshold: 10 } }] },
      }),
    ).toEqual(
      expect.arrayContaining([
        'spec.scaleTargetRef.name is required',
        'triggers[0].metadata values must all be strings',
      ]),
    );
  });

  describe.each(Object.keys(TARGETS) as (keyof typeof TARGETS)[])('%s', (target) => {
    const objects = rendered[target];

    it('has unique objects, and built-in kinds pass the Kubernetes schema with no unknown fields', () => {
      expect(new Set(objects.map(identity)).size).toBe(objects.length);
      const builtIn = objects.filter(hasModel);
      const errors = schemaErrors(builtIn);
      const problems = builtIn.flatMap((o, i) =>
        [...errors[i]!, ...unknownFields(o).map((f) => `unknown field ${f}`)].map((e) => `${identity(o)}: ${e}`),
      );
      expect(problems).toEqual([]);
      expect(builtIn.length).toBeGreaterThan(10);
    });

    it('custom resources (KEDA, CloudNativePG, Prometheus Operator) have their required fields', () => {
      const problems = objects
        .filter((o) => !hasModel(o))
        .flatMap((o) => crdProblems(o).map((p) => `${identity(o)}: ${p}`));
      expect(problems).toEqual([]);
    });

    it('refers only to objects that exist (config, secrets, volumes, scale targets, selectors)', () => {
      const names = (kind: string) => new Set(byKind(objects, kind).map((o) => o.metadata.name));
      const secrets = new Set([
        ...names('Secret'),
        ...EXTERNAL_SECRETS[target],
        ...[...names('Cluster')].map((c) => `${c}-app`),
      ]);
      const missing: string[] = [];
      for (const w of workloads(objects)) {
        const spec = podSpecOf(w)!;
        for (const c of containersOf(w) as any[]) {
          for (const e of c.envFrom ?? [])
            if (e.configMapRef && !names('ConfigMap').has(e.configMapRef.name))
              missing.push(`configmap ${e.configMapRef.name}`);
          for (const e of c.env ?? [])
            if (e.valueFrom?.secretKeyRef && !secrets.has(e.valueFrom.secretKeyRef.name))
              missing.push(`secret ${e.valueFrom.secretKeyRef.name}`);
          const mounts = new Set(((spec.volumes as any[]) ?? []).map((v) => v.name));
          for (const m of c.volumeMounts ?? [])
            if (!mounts.has(m.name)) missing.push(`volume ${m.name} in ${w.metadata.name}`);
          const ports = new Set((c.ports ?? []).map((p: any) => p.name));
          for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
            const port = c[probe]?.httpGet?.port;
            if (typeof port === 'string' && !ports.has(port)) missing.push(`port ${port} of ${w.metadata.name}`);
          }
        }
        for (const v of (spec.volumes as any[]) ?? [])
          if (v.persistentVolumeClaim && !names('PersistentVolumeClaim').has(v.persistentVolumeClaim.claimName))
            missing.push(`pvc ${v.persistentVolumeClaim.claimName}`);
        const account = spec.serviceAccountName as string | undefined;
        if (account && !names('ServiceAccount').has(account)) missing.push(`serviceaccount ${account}`);
      }
      for (const hpa of byKind(objects, 'HorizontalPodAutoscaler'))
        if (!names('Deployment').has((hpa.spec as any).scaleTargetRef.name))
          missing.push(`hpa target ${hpa.metadata.name}`);
      for (const so of byKind(objects, 'ScaledObject'))
        if (!names('Deployment').has((so.spec as any).scaleTargetRef.name))
          missing.push(`scaledobject target ${so.metadata.name}`);
      for (const b of byKind(objects, 'ScheduledBackup'))
        if (!names('Cluster').has((b.spec as any).cluster.name)) missing.push(`backup cluster ${b.metadata.name}`);
      const deployments = byKind(objects, 'Deployment');
      for (const o of [...byKind(objects, 'PodDisruptionBudget'), ...byKind(objects, 'PodMonitor')]) {
        if (!deployments.some((d) => labelsMatch((o.spec as any).selector.matchLabels, podLabels(d))))
          missing.push(`selector of ${o.kind} ${o.metadata.name}`);
      }
      for (const s of byKind(objects, 'Service')) {
        const pods = deployments.filter((d) => labelsMatch((s.spec as any).selector, podLabels(d)));
        if (pods.length !== 1) missing.push(`service ${s.metadata.name} selects ${pods.length} deployments`);
      }
      expect(missing).toEqual([]);
    });

    it('gives every container a configuration the backend accepts', () => {
      const known = configEnvNames();
      const configMaps = new Map(
        byKind(objects, 'ConfigMap').map((c) => [c.metadata.name, (c as any).data as Record<string, string>]),
      );
      for (const w of workloads(objects)) {
        for (const c of containersOf(w) as any[]) {
          const env: Record<string, string> = {};
          for (const e of c.envFrom ?? []) Object.assign(env, configMaps.get(e.configMapRef.name));
          for (const e of c.env ?? []) env[e.name] = e.value ?? SECRET_PLACEHOLDERS[e.name] ?? 'from-secret';
          expect([w.metadata.name, Object.keys(env).filter((n) => !known.has(n) && !OTHER_ENV.has(n))]).toEqual([
            w.metadata.name,
            [],
          ]);
          const config = loadConfig(env);
          expect([
            w.metadata.name,
            config.env,
            config.queue.kind,
            config.database.kind,
            config.http.host,
            config.mediaStore.kind,
          ]).toEqual([w.metadata.name, 'production', 'nats', 'postgres', '0.0.0.0', 's3']);
          if (w.kind === 'Deployment' && w.metadata.name === 'bgm-api') expect(config.runJobs).toBe(false);
          if (/gpu/.test(w.metadata.name)) expect(config.inference.provider).toBe('cuda');
        }
      }
    });

    it('runs pods as non-root with resource requests, and probes /healthz and /readyz', () => {
      for (const w of workloads(objects)) {
        const spec = podSpecOf(w)! as any;
        expect([w.metadata.name, spec.securityContext?.runAsNonRoot]).toEqual([w.metadata.name, true]);
        for (const c of containersOf(w) as any[]) {
          expect([w.metadata.name, Boolean(c.resources?.requests?.cpu && c.resources?.requests?.memory)]).toEqual([
            w.metadata.name,
            true,
          ]);
          expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
          if (w.kind !== 'Deployment') continue;
          expect([w.metadata.name, c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual([
            w.metadata.name,
            '/healthz',
            '/readyz',
          ]);
        }
      }
    });

    it('scales workers on the JetStream consumers the workers actually use, one per job kind', () => {
      const stream = (byKind(objects, 'ConfigMap').find((c) => c.metadata.name === 'bgm-config') as any).data
        .NATS_STREAM;
      const consumers = Object.values(JobKind)
        .map((k) => consumerName(defaultDurable(stream), topicFor(k)))
        .sort();
      const scaled = byKind(objects, 'ScaledObject');
      expect(scaled.length).toBeGreaterThan(0);
      for (const so of scaled) {
        const triggers = (so.spec as any).triggers as any[];
        expect(triggers.map((t) => t.metadata.consumer).sort()).toEqual(consumers);
        for (const t of triggers) {
          expect(t.type).toBe('nats-jetstream');
          expect(t.metadata.stream).toBe(stream);
          // KEDA queries <leader-pod>.<endpoint>: only the headless Service names pods.
          expect(t.metadata.natsServerMonitoringEndpoint).toMatch(/^nats-headless\.nats\.svc\.cluster\.local:8222$/);
          expect(Number(t.metadata.lagThreshold)).toBeGreaterThan(0);
        }
      }
    });

    it('puts GPU workers on GPU nodes with one GPU each', () => {
      for (const d of byKind(objects, 'Deployment').filter((o) => /gpu/.test(o.metadata.name))) {
        const spec = podSpecOf(d) as any;
        const c = spec.containers[0];
        expect(c.resources.requests['nvidia.com/gpu']).toBe(1);
        expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
        expect(spec.tolerations).toContainEqual(
          expect.objectContaining({ key: 'nvidia.com/gpu', effect: 'NoSchedule' }),
        );
        expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
      }
    });
  });

  it.each(['dev', 'prod'] as const)('%s overlay: namespaced, with registry images and a migration Job', (target) => {
    const objects = rendered[target];
    const namespace = byKind(objects, 'Namespace')[0]!.metadata.name;
    expect(objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== namespace)).toEqual([]);
    const images = workloads(objects).flatMap((w) => containersOf(w).map((c) => c.image));
    expect(images.filter((i) => !/^[\w.-]+\.[a-z]+\/[\w./-]+:[\w.-]+$/.test(i))).toEqual([]);
    expect(byKind(objects, 'Job').map((j) => (containersOf(j)[0] as any).command)).toEqual([
      ['node', 'dist/src/bin/migrate.js'],
    ]);
  });

  it('dev drops the GPU workers and shrinks the CPU worker; prod scales GPU workers to 50', () => {
    expect(rendered.dev.filter((o) => /gpu/.test(o.metadata.name))).toEqual([]);
    const worker = containersOf(
      rendered.dev.find((o) => o.kind === 'Deployment' && o.metadata.name === 'bgm-worker-cpu')!,
    )[0] as any;
    const env = Object.fromEntries(worker.env.map((e: any) => [e.name, e.value ?? 'from-secret']));
    // The patch's env entry replaced the base's by name; the other entries stayed.
    expect(env).toMatchObject({ WORKER_CONCURRENCY: '1', DATABASE_URL: 'from-secret', INFERENCE_PROVIDER: 'cpu' });
    expect(worker.resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
    const gpu = rendered.prod.find((o) => o.kind === 'ScaledObject' && o.metadata.name === 'bgm-worker-gpu')!;
    expect((gpu.spec as any).maxReplicaCount).toBe(50);
  });

  it('configures NATS through the official chart: JetStream, 3 servers, monitoring', () => {
    const values = readYamlObjects(path.join(K8S, 'nats-values.yaml'))[0] as any;
    expect(values.config.jetstream.enabled).toBe(true);
    expect(values.config.jetstream.fileStore.enabled).toBe(true);
    expect(values.config.cluster).toEqual({ enabled: true, replicas: 3 });
    expect(values.config.monitor).toEqual({ enabled: true, port: 8222 });
    expect(values.headlessService.enabled).toBe(true);
  });
});
