import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { commandWords, fromImage, parseDockerfile } from './dockerfile';
import { containersOf, render } from './kustomize-lite';

const ROOT = path.resolve(__dirname, '../../..');
const DOCKER = path.join(ROOT, 'deploy', 'docker');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const compose = parse(fs.readFileSync(path.join(ROOT, 'deploy', 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      build?: { context: string; dockerfile: string };
      image?: string;
      command?: string[];
      environment?: Record<string, string>;
      depends_on?: Record<string, unknown>;
      volumes?: string[];
    }
  >;
  volumes: Record<string, unknown>;
};

const DOCKERFILES = {
  api: 'Dockerfile.api',
  'worker-cpu': 'Dockerfile.worker-cpu',
  'worker-gpu': 'Dockerfile.worker-gpu',
} as const;
/** What each image must run: the same file as the npm script a developer runs. */
const ENTRY = {
  api: ['start', 'dist/src/bin/api.js'],
  'worker-cpu': ['worker', 'dist/src/bin/worker.js'],
  'worker-gpu': ['worker', 'dist/src/bin/worker.js'],
} as const;

/** The TypeScript source a built path comes from (dist/src/x.js -> src/x.ts, dist/src -> src). */
function sourceOf(built: string): string {
  const rel = built.replace(/^\/app\//, '').replace(/^dist\//, '');
  return rel.endsWith('.js') ? rel.replace(/\.js$/, '.ts') : rel;
}
const exists = (rel: string) => fs.existsSync(path.join(ROOT, rel));
const filesUnder = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.relative(ROOT, path.join(dir, e.name))],
    );
const npmScriptsIn = (text: string) => [...text.matchAll(/npm run(?: -s| --silent)* ([\w:-]+)/g)].map((m) => m[1]!);
const builtPathsIn = (words: string[]) => words.filter((w) => /^dist\/.+\.js$/.test(w));

describe('deploy commands refer only to scripts and files that exist', () => {
  it('package.json scripts run the entry points the images run, and `migrate` exists', () => {
    for (const [, [script, file]] of Object.entries(ENTRY)) expect(pkg.scripts[script]).toContain(`node ${file}`);
    expect(pkg.scripts.migrate).toBe('npm run -s build && node dist/src/bin/migrate.js');
    for (const script of Object.values(pkg.scripts))
      for (const p of builtPathsIn(script.split(' '))) expect([p, exists(sourceOf(p))]).toEqual([p, true]);
  });

  describe.each(Object.entries(DOCKERFILES))('%s image (%s)', (name, file) => {
    const df = parseDockerfile(path.join(DOCKER, file));
    const ignore = fs
      .readFileSync(path.join(DOCKER, `${file}.dockerignore`), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const ignored = (rel: string) => ignore.some((p) => rel === p || rel.startsWith(`${p}/`));
    const last = df.stages.length - 1;
    const runtime = df.instructions.filter((i) => i.stage === last);

    it('pins its base images to exact versions', () => {
      const images = df.instructions.filter((i) => i.op === 'FROM').map((i) => fromImage(df, i.args));
      for (const image of images.filter((i) => !df.stages.includes(i)))
        expect(image).toMatch(/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[a-f0-9]{64})?$/);
    });

    it('copies only files that exist and that its .dockerignore lets through', () => {
      for (const copy of df.instructions.filter((i) => i.op === 'COPY')) {
        const words = copy.args.split(' ');
        const from = /^--from=(\S+)$/.exec(words[0]!)?.[1];
        const sources = words.filter((w) => !w.startsWith('--')).slice(0, -1);
        if (from) expect(df.stages).toContain(from);
        // Other stages hold image files (node binary) or what npm ci made (node_modules).
        if (from && from !== 'build') continue;
        for (const src of sources) {
          if (src === '.') continue;
          // models/ is created by the build stage (mkdir -p) when the checkout has none.
          const rel = sourceOf(src);
          if (rel === 'models') continue;
          expect([src, exists(rel)]).toEqual([src, true]);
          if (!from) expect([src, ignored(rel)]).toEqual([src, false]);
        }
      }
    });

    it('keeps what the TypeScript build needs in the build context', () => {
      const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
        include: string[];
      };
      for (const p of [...build.include, 'package.json', 'package-lock.json', '.npmrc', 'prisma', 'tsconfig.json'])
        expect([p, ignored(p)]).toEqual([p, false]);
      for (const p of ['node_modules', 'dist', 'src/generated', '.git', '.data'])
        expect([p, ignored(p)]).toEqual([p, true]);
    });

    it('runs only npm scripts that exist, and builds with `npm ci` + `npm run build`', () => {
      const runs = df.instructions.filter((i) => i.op === 'RUN' || i.op === 'CMD').map((i) => i.args);
      for (const s of runs.flatMap(npmScriptsIn)) expect(Object.keys(pkg.scripts)).toContain(s);
      expect(df.instructions.some((i) => i.op === 'RUN' && /npm ci --no-audit/.test(i.args) && i.stage === 0)).toBe(
        true,
      );
      expect(df.instructions.some((i) => i.op === 'RUN' && /npm run build/.test(i.args))).toBe(true);
    });

    it('ships no dev dependencies, runs as a non-root user, checks /healthz and runs the right entry point', () => {
      const installs = df.instructions.filter((i) => i.op === 'RUN' && /npm ci/.test(i.args));
      // Every install outside the build stage leaves dev dependencies out.
      for (const i of installs.filter((x) => x.stage !== 0)) expect(i.args).toMatch(/npm ci --omit=dev/);
      const copiesModules = runtime.some(
        (i) => i.op === 'COPY' && /node_modules/.test(i.args) && !/--from=build /.test(i.args),
      );
      expect(runtime.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args)) || copiesModules).toBe(true);
      expect(runtime.find((i) => i.op === 'USER')?.args).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(runtime.find((i) => i.op === 'HEALTHCHECK')?.args).toMatch(/\/healthz/);
      const cmd = commandWords(runtime.find((i) => i.op === 'CMD')!.args);
      expect(cmd).toEqual(['node', ENTRY[name as keyof typeof ENTRY][1]]);
      for (const p of builtPathsIn(cmd)) expect(exists(sourceOf(p))).toBe(true);
      const copied = runtime
        .filter((i) => i.op === 'COPY' && /--from=build/.test(i.args))
        .map((i) => i.args.split(' ')[1]);
      expect(copied).toEqual(expect.arrayContaining(['/app/dist/src', '/app/prisma', '/app/models']));
    });

    if (name === 'api') {
      it('carries what the code reads from the project root at run time (tsc copies only .js)', () => {
        const copied = runtime
          .filter((i) => i.op === 'COPY' && /--from=build/.test(i.args))
          .map((i) => sourceOf(i.args.split(' ')[1]!));
        const sources = filesUnder(path.join(ROOT, 'src')).filter((f) => !f.startsWith('src/generated/'));
        // emit-schema writes the committed schema.graphql in a checkout; the image never runs it.
        const code = sources
          .filter((f) => f.endsWith('.ts') && f !== 'src/bin/emit-schema.ts')
          .map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'))
          .join('\n');
        const rootDirs = new Set([...code.matchAll(/path\.join\(projectRoot\(\), '([\w.-]+)'/g)].map((m) => m[1]!));
        rootDirs.delete('src');
        for (const dir of rootDirs) expect([dir, copied.includes(dir)]).toEqual([dir, true]);
        for (const asset of sources.filter((f) => !f.endsWith('.ts')))
          expect([asset, copied.some((c) => asset.startsWith(`${c}/`))]).toEqual([asset, true]);
      });
    }
    if (name === 'worker-gpu') {
      it('installs onnxruntime-node with its CUDA 12 libraries on a CUDA + cuDNN base', () => {
        expect(df.instructions.some((i) => i.op === 'ENV' && /ONNXRUNTIME_NODE_INSTALL=cuda12/.test(i.args))).toBe(
          true,
        );
        expect(df.instructions.some((i) => i.op === 'RUN' && /npm rebuild onnxruntime-node/.test(i.args))).toBe(true);
        expect(fromImage(df, df.instructions.filter((i) => i.op === 'FROM').at(-1)!.args)).toMatch(
          /^nvidia\/cuda:12\.[\d.]+-cudnn-runtime-ubuntu/,
        );
        expect(runtime.some((i) => i.op === 'ENV' && /INFERENCE_PROVIDER=cuda/.test(i.args))).toBe(true);
      });
    }
    // Workers decode media; the API renders the rater's previews.
    it('installs ffmpeg from the distribution', () => {
      expect(runtime.some((i) => i.op === 'RUN' && /apt-get install .*\bffmpeg\b/.test(i.args))).toBe(true);
    });
  });

  describe('compose.yaml', () => {
    it('builds from Dockerfiles that exist, runs built files that exist, and wires its services', () => {
      const services = compose.services;
      expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'nats', 'migrate', 'api', 'worker']));
      for (const [name, s] of Object.entries(services)) {
        if (s.build) {
          const context = path.resolve(ROOT, 'deploy', s.build.context);
          expect([name, context, fs.existsSync(path.join(context, s.build.dockerfile))]).toEqual([name, ROOT, true]);
        }
        for (const p of builtPathsIn(s.command ?? [])) expect([name, p, exists(sourceOf(p))]).toEqual([name, p, true]);
        for (const dep of Object.keys(s.depends_on ?? {})) expect(Object.keys(services)).toContain(dep);
        for (const v of s.volumes ?? []) {
          const volume = v.split(':')[0]!;
          if (!volume.startsWith('.') && !volume.startsWith('/'))
            expect(Object.keys(compose.volumes)).toContain(volume);
        }
        for (const s2 of npmScriptsIn((s.command ?? []).join(' '))) expect(Object.keys(pkg.scripts)).toContain(s2);
      }
      expect(services.migrate!.command).toEqual(['node', 'dist/src/bin/migrate.js']);
      expect(services.api!.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
      expect(services.postgres!.image).toMatch(/^pgvector\/pgvector:[\d.]+-pg16$/);
      expect(services.nats!.image).toMatch(/^nats:2\.10\.\d+/);
      expect(services.nats!.command).toContain('-js');
    });

    it('sets only environment variables the backend reads', () => {
      // config.ts's envSchema, and the media-store variables it spreads in.
      const source = ['src/config/config.ts', 'src/config/media-store-config.ts']
        .map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'))
        .join('\n');
      for (const [name, s] of Object.entries(compose.services).filter(([, x]) => x.build)) {
        for (const key of Object.keys(s.environment ?? {}))
          expect([name, key, new RegExp(`^ {2}${key}:`, 'm').test(source)]).toEqual([name, key, true]);
      }
    });
  });

  it('the Grafana dashboard queries only metrics the code exports', () => {
    const metricsDir = path.join(ROOT, 'src', 'metrics');
    const code = fs
      .readdirSync(metricsDir)
      .map((f) => fs.readFileSync(path.join(metricsDir, f), 'utf8'))
      .join('\n');
    const exported = new Set([...code.matchAll(/['"](bgm_\w+)['"]/g)].map((m) => m[1]!));
    const dashboard = fs.readFileSync(path.join(ROOT, 'deploy', 'grafana', 'bgm-backend.json'), 'utf8');
    const used = new Set([...dashboard.matchAll(/\b(bgm_\w+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1]!));
    expect([...used].filter((m) => !exported.has(m))).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(exported.size);
  });

  it('Kubernetes containers with a command run built files that exist', () => {
    for (const overlay of ['base', 'overlays/dev', 'overlays/prod']) {
      for (const o of render(path.join(ROOT, 'deploy', 'k8s', overlay))) {
        for (const c of containersOf(o) as { command?: string[] }[])
          for (const p of builtPathsIn(c.command ?? []))
            expect([overlay, p, exists(sourceOf(p))]).toEqual([overlay, p, true]);
      }
    }
  });
});
