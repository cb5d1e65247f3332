import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import type { App } from '../../src/app/start-app';
import { gql, tokenFor, upload } from './harness';
import { modelDir, waitFor } from './pipeline-helpers';

/** The bundled model folder as a zip, with another version name and any files replaced. */
export function archiveOf(
  version: string,
  replace: Record<string, Buffer> = {},
  edit: (m: any) => void = () => {},
): Buffer {
  const dir = modelDir()!;
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    version: string;
    files: Record<string, string>;
    sha256: Record<string, string>;
  };
  manifest.version = version;
  const zip = new AdmZip();
  for (const name of Object.values(manifest.files)) {
    const body = replace[name] ?? fs.readFileSync(path.join(dir, name));
    manifest.sha256[name] = createHash('sha256').update(body).digest('hex');
    zip.addFile(`model/${name}`, body);
  }
  // Extra files (a model card) go in as they are; the manifest does not name them.
  for (const [name, body] of Object.entries(replace))
    if (!Object.values(manifest.files).includes(name)) zip.addFile(`model/${name}`, body);
  edit(manifest);
  zip.addFile('model/manifest.json', Buffer.from(JSON.stringify(manifest)));
  return zip.toBuffer();
}

/** A CANDIDATE registered from the bundled model's files under another version name (probe passed). */
export async function registerCandidate(a: App, version: string): Promise<string> {
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
