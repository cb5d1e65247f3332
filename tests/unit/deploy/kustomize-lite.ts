import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The part of kustomize that deploy/k8s uses, so the tests can render the overlays without the
 * kustomize binary: resources (files and directories), `labels` (metadata only), `namespace`,
 * `images`, and `patches` given as strategic-merge files (with `$patch: delete`). Anything else
 * in a kustomization is refused, so a feature added to the manifests cannot be silently ignored.
 */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'labels', 'namespace', 'images', 'patches']);

export function readYamlObjects(file: string): K8sObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((doc, i) => {
      if (doc.errors.length > 0) throw new Error(`${file} document ${i}: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject;
    })
    .filter((o) => o !== null);
}

export const identity = (o: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>) =>
  `${o.apiVersion.split('/').length > 1 ? o.apiVersion.split('/')[0] : 'core'}/${o.kind}/${o.metadata.name}`;

/** Renders the kustomization in `dir` to its list of objects. */
export function render(dir: string): K8sObject[] {
  const k = readYamlObjects(path.join(dir, 'kustomization.yaml'))[0] as unknown as Record<string, unknown>;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) throw new Error(`${dir}: kustomize-lite does not support ${unsupported.join(', ')}`);

  let objects: K8sObject[] = [];
  for (const r of (k.resources as string[] | undefined) ?? []) {
    const p = path.resolve(dir, r);
    objects.push(...(fs.statSync(p).isDirectory() ? render(p) : readYamlObjects(p)));
  }

  for (const patchRef of (k.patches as { path: string }[] | undefined) ?? []) {
    for (const patch of readYamlObjects(path.resolve(dir, patchRef.path))) {
      const matches = objects.filter((o) => identity(o) === identity(patch));
      if (matches.length !== 1)
        throw new Error(`${dir}/${patchRef.path}: patch matches ${matches.length} objects (${identity(patch)})`);
      if ((patch as JsonObject).$patch === 'delete') {
        objects = objects.filter((o) => o !== matches[0]);
      } else {
        objects = objects.map((o) =>
          o === matches[0]
            ? (mergePatch(o as unknown as JsonObject, patch as unknown as JsonObject) as unknown as K8sObject)
            : o,
        );
      }
    }
  }

  for (const { pairs } of (k.labels as { pairs: Record<string, string> }[] | undefined) ?? []) {
    for (const o of objects) o.metadata.labels = { ...o.metadata.labels, ...pairs };
  }
  const images = (k.images as { name: string; newName?: string; newTag?: string }[] | undefined) ?? [];
  for (const o of objects) for (const c of containersOf(o)) c.image = retag(c.image, images);
  if (typeof k.namespace === 'string') {
    for (const o of objects) if (o.kind !== 'Namespace') o.metadata.namespace = k.namespace;
  }
  return objects;
}

/** Strategic merge: maps merge, lists of named objects merge by name, other lists are replaced. */
function mergePatch(target: Json, patch: Json): Json {
  if (Array.isArray(target) && Array.isArray(patch) && [...target, ...patch].every(isNamed)) {
    const out = target.map((t) => {
      const p = patch.find((x) => (x as JsonObject).name === (t as JsonObject).name);
      return p === undefined ? t : mergePatch(t, p);
    });
    for (const p of patch) if (!target.some((t) => (t as JsonObject).name === (p as JsonObject).name)) out.push(p);
    return out;
  }
  if (isObject(target) && isObject(patch)) {
    const out: JsonObject = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = key in target ? mergePatch(target[key]!, value) : value;
    }
    return out;
  }
  return patch;
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNamed = (v: Json) => isObject(v) && typeof v.name === 'string';

/** Containers (and init containers) of a workload's pod template. */
export function containersOf(o: K8sObject): { name: string; image: string; [k: string]: unknown }[] {
  const spec = podSpecOf(o);
  return spec ? [...((spec.initContainers as never[]) ?? []), ...((spec.containers as never[]) ?? [])] : [];
}

export function podSpecOf(o: K8sObject): Record<string, unknown> | undefined {
  const spec = o.spec as
    | {
        template?: { spec?: Record<string, unknown> };
        jobTemplate?: { spec?: { template?: { spec?: Record<string, unknown> } } };
      }
    | undefined;
  return spec?.template?.spec ?? spec?.jobTemplate?.spec?.template?.spec;
}

function retag(image: string, images: { name: string; newName?: string; newTag?: string }[]): string {
  const m = /^(.*?)(?::([^:/@]+))?(@sha256:[a-f0-9]+)?$/.exec(image)!;
  const rule = images.find((i) => i.name === m[1]);
  if (!rule) return image;
  return `${rule.newName ?? m[1]}${rule.newTag ? `:${rule.newTag}` : m[2] ? `:${m[2]}` : ''}${m[3] ?? ''}`;
}
