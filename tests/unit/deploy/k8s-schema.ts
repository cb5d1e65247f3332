import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { K8sObject } from './kustomize-lite';

const ROOT = path.resolve(__dirname, '../../..');
const MODELS = path.join(ROOT, 'node_modules', 'kubernetes-models');

/** Whether kubernetes-models has a model for this apiVersion/kind (core and built-in groups). */
export const hasModel = (o: K8sObject) => fs.existsSync(path.join(MODELS, o.apiVersion, `${o.kind}.js`));

// kubernetes-models is ESM-only (exports has only "import"), which jest's CommonJS runtime cannot
// load; a child Node process imports it natively. Model path: kubernetes-models/<apiVersion>/<Kind>.
const VALIDATE_ESM = `
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = [];
for (const o of objects) {
  const mod = await import('kubernetes-models/' + o.apiVersion + '/' + o.kind);
  try {
    new mod[o.kind](o).validate();
    results.push([]);
  } catch (err) {
    results.push((err.errors ?? [{ instancePath: '', message: err.message }]).map((e) => (e.instancePath || '/') + ' ' + e.message));
  }
}
process.stdout.write(JSON.stringify(results));
`;

/** Schema errors per object (Kubernetes OpenAPI schemas compiled by kubernetes-models). */
export function schemaErrors(objects: K8sObject[]): string[][] {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', VALIDATE_ESM], {
    cwd: ROOT,
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[][];
}

interface TypeInfo {
  props: Map<string, string>;
  file: string;
}
const cache = new Map<string, TypeInfo | null>();

/** The properties of the interface a model .d.ts file declares (null: a primitive alias). */
function typeInfo(file: string): TypeInfo | null {
  if (cache.has(file)) return cache.get(file)!;
  const text = fs.readFileSync(file, 'utf8');
  const body = /export interface I\w+(?: extends [\w, ]+)? \{\n([\s\S]*?)\n\}/.exec(text)?.[1];
  let info: TypeInfo | null = null;
  if (body) {
    const props = new Map<string, string>();
    for (const m of body.matchAll(/^ {4}"([^"]+)"\??: (.+?);?$/gm)) props.set(m[1]!, m[2]!);
    info = { props, file };
  }
  cache.set(file, info);
  return info;
}

/** The .d.ts file that declares `typeName`, following the imports of `fromFile`. */
function declaringFile(fromFile: string, typeName: string): string | undefined {
  const text = fs.readFileSync(fromFile, 'utf8');
  const spec = new RegExp(`import \\{ ${typeName} \\} from "([^"]+)"`).exec(text)?.[1];
  if (!spec) return undefined;
  const base = spec.startsWith('.')
    ? path.resolve(path.dirname(fromFile), spec)
    : path.join(ROOT, 'node_modules', spec);
  return `${base.replace(/\.js$/, '')}.d.ts`;
}

/**
 * Fields the Kubernetes schema does not define. The compiled schemas accept unknown fields (so
 * does the API server, with a warning), and a misspelt `readinesProbe` would pass unnoticed:
 * this walks the object against the model's TypeScript declarations instead.
 */
export function unknownFields(o: K8sObject): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, file: string, at: string): void => {
    const info = typeInfo(file);
    if (!info || typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      const type = info.props.get(key);
      if (type === undefined) {
        problems.push(`${at}/${key}`);
        continue;
      }
      const element = /^Array<(\w+)>$/.exec(type)?.[1];
      const named = element ?? (/^\w+$/.test(type) ? type : undefined);
      const childFile = named && named.startsWith('I') ? declaringFile(file, named) : undefined;
      if (!childFile) continue;
      if (element && Array.isArray(child)) child.forEach((item, i) => walk(item, childFile, `${at}/${key}/${i}`));
      else walk(child, childFile, `${at}/${key}`);
    }
  };
  walk(o, path.join(MODELS, o.apiVersion, `${o.kind}.d.ts`), '');
  return problems;
}
