/**
 * Import boundaries, checked by `npm run lint` (depcruise src lab bench --config .dependency-cruiser.cjs).
 *
 * Layers of src/, top to bottom. A file may import its own layer and the layers below it, never a
 * layer above it:
 *
 *   bin            runnable entry points (npm start, worker, migrate, export:choices, token, schema:emit)
 *   app            the composition root: opens the seams, builds repositories and services, starts servers
 *   http           express + Apollo, health probes, uploads, the rater page and its previews
 *   modules        one folder per feature: type, input, resolver -> service -> repository
 *   jobs           the job pipeline: job and outbox records, queue adapters, outbox relay, runner,
 *                  handlers, worker wiring, failedJobs/retryJob
 *   graphql        what resolvers share: request context, auth checker, error translation, plugins,
 *                  page arguments, connections, cursors
 *   infrastructure db, storage, inference, features, media, auth, metrics, the generated Prisma client
 *   config         environment -> typed AppConfig
 *   common         logger, errors, paths, small utilities
 *
 * Why the job pipeline sits below the modules, handlers included: the modules enqueue jobs (a
 * registration writes its video, job and outbox row in one transaction), so they import the job
 * records; if anything in jobs/ imported a module, src/jobs and src/modules would depend on each
 * other. The handlers and the retry service state what they need of tracks, videos and model
 * versions as ports (jobs/handlers/handler-deps.ts); the composition root passes the modules'
 * repositories, which satisfy them.
 *
 * Besides the layers: no cycle between files or between folders; src/ never imports the lab, the
 * benchmarks or the tests; the lab reaches into src/ only for the shared front end (media,
 * features, inference, common); every src/ file is reachable from an entry point in src/bin, so no
 * file lives in src/ only for the lab or the tests.
 */

const LAYERS = [
  ['bin', '^src/bin/'],
  ['app', '^src/app/'],
  ['http', '^src/http/'],
  ['modules', '^src/modules/'],
  ['jobs', '^src/jobs/'],
  ['graphql', '^src/graphql/'],
  ['infrastructure', '^src/(db|storage|inference|features|media|auth|metrics|generated)/'],
  ['config', '^src/config/'],
  ['common', '^src/common/'],
];

/** One rule per layer: nothing in it imports a layer above it. */
const layerRules = LAYERS.slice(1).map(([name, path], i) => ({
  name: `${name}-imports-no-upper-layer`,
  comment: `${name} is below ${LAYERS.slice(0, i + 1)
    .map(([above]) => above)
    .join(', ')}: it may import only its own layer and the ones below (see the top of this file).`,
  severity: 'error',
  from: { path },
  to: { path: LAYERS.slice(0, i + 1).map(([, above]) => above) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A file must not reach itself through its imports (type-only imports count).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      comment: 'Two folders must not import each other, directly or through others (a folder counts its subfolders).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(src|lab|bench)/' },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'src-imports-no-lab-bench-or-tests',
      comment: 'The product does not depend on the offline lab, the benchmarks or the tests.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(lab|bench|tests|training)/' },
    },
    {
      name: 'lab-imports-only-the-shared-front-end',
      comment:
        'The lab (dataset generator, evaluation) shares the media, feature and inference code with the product ' +
        '(train/serve parity) and nothing else of it. One exception, owned by the lab: its voice-ablation command ' +
        'prints the machine description of bench/bench-utils.ts, like the benchmarks it sits beside in docs/BENCHMARKS.md.',
      severity: 'error',
      from: { path: '^lab/' },
      to: {
        path: '^(src|bench|tests|training)/',
        pathNot: ['^src/(media|features|inference|common)/', '^bench/bench-utils[.]ts$'],
      },
    },
    {
      name: 'src-reachable-from-bin',
      comment:
        'Every src/ file is used by a runnable entry point (src/bin); code only the lab or the tests use lives with them.',
      severity: 'error',
      from: { path: '^src/bin/' },
      to: { path: '^src/', pathNot: '^src/(bin|generated)/', reachable: false },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^src/generated/'] },
    // The rater page's browser script and its editor tsconfig are served as files, not imported.
    exclude: { path: '^src/http/rater/public/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
