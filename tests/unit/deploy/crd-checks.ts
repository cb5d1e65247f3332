import type { K8sObject } from './kustomize-lite';

/**
 * Structural checks for the custom resources deploy/k8s uses (their operators' CRD schemas are
 * not installed here): the fields each operator requires, with the types it expects. Returns
 * the problems found; a kind with no checker is itself a problem.
 */
type Checker = (spec: Record<string, any>) => string[];

const need = (cond: unknown, message: string): string[] => (cond ? [] : [message]);
const isStringMap = (v: unknown) =>
  typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');

const NATS_JETSTREAM_KEYS = ['natsServerMonitoringEndpoint', 'account', 'stream', 'consumer', 'lagThreshold'];

const CHECKERS: Record<string, Checker> = {
  'keda.sh/v1alpha1/ScaledObject': (spec) => [
    ...need(typeof spec.scaleTargetRef?.name === 'string', 'spec.scaleTargetRef.name is required'),
    ...need(Array.isArray(spec.triggers) && spec.triggers.length > 0, 'spec.triggers must not be empty'),
    ...need(
      spec.minReplicaCount === undefined || Number.isInteger(spec.minReplicaCount),
      'minReplicaCount must be an integer',
    ),
    ...need(
      spec.maxReplicaCount === undefined || Number.isInteger(spec.maxReplicaCount),
      'maxReplicaCount must be an integer',
    ),
    ...need((spec.minReplicaCount ?? 0) <= (spec.maxReplicaCount ?? 100), 'minReplicaCount exceeds maxReplicaCount'),
    ...((spec.triggers as any[] | undefined) ?? []).flatMap((t, i) => [
      ...need(typeof t.type === 'string', `triggers[${i}].type is required`),
      // KEDA reads trigger metadata as a map of strings: lagThreshold: 10 (a number) is refused.
      ...need(isStringMap(t.metadata), `triggers[${i}].metadata values must all be strings`),
      ...(t.type === 'nats-jetstream'
        ? NATS_JETSTREAM_KEYS.filter((k) => !t.metadata?.[k]).map((k) => `triggers[${i}].metadata.${k} is required`)
        : []),
    ]),
  ],
  'postgresql.cnpg.io/v1/Cluster': (spec) => [
    ...need(Number.isInteger(spec.instances) && spec.instances >= 1, 'spec.instances must be an integer >= 1'),
    ...need(
      typeof spec.imageName === 'string' && /:[\w.-]+$/.test(spec.imageName),
      'spec.imageName must be a tagged image',
    ),
    ...need(typeof spec.storage?.size === 'string', 'spec.storage.size is required'),
    ...need(typeof spec.bootstrap?.initdb?.database === 'string', 'spec.bootstrap.initdb.database is required'),
    // CNPG passes parameters to postgresql.conf and accepts only strings.
    ...need(
      spec.postgresql?.parameters === undefined || isStringMap(spec.postgresql.parameters),
      'spec.postgresql.parameters values must be strings',
    ),
  ],
  'postgresql.cnpg.io/v1/ScheduledBackup': (spec) => [
    ...need(typeof spec.cluster?.name === 'string', 'spec.cluster.name is required'),
    ...need(
      typeof spec.schedule === 'string' && spec.schedule.split(' ').length === 6,
      'spec.schedule must be a six-field cron (seconds first)',
    ),
  ],
  'barmancloud.cnpg.io/v1/ObjectStore': (spec) => [
    ...need(typeof spec.configuration?.destinationPath === 'string', 'spec.configuration.destinationPath is required'),
  ],
  'monitoring.coreos.com/v1/PodMonitor': (spec) => [
    ...need(isStringMap(spec.selector?.matchLabels), 'spec.selector.matchLabels is required'),
    ...need(
      Array.isArray(spec.podMetricsEndpoints) && spec.podMetricsEndpoints.length > 0,
      'spec.podMetricsEndpoints must not be empty',
    ),
  ],
};

export const crdKinds = () => Object.keys(CHECKERS);

export function crdProblems(o: K8sObject): string[] {
  const check = CHECKERS[`${o.apiVersion}/${o.kind}`];
  if (!check) return [`no schema or checker for ${o.apiVersion}/${o.kind}`];
  return [
    ...need(
      typeof o.metadata?.name === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.metadata.name),
      'metadata.name must be a DNS label',
    ),
    ...need(typeof o.spec === 'object' && o.spec !== null, 'spec is required'),
    ...check((o.spec ?? {}) as Record<string, any>),
  ];
}
