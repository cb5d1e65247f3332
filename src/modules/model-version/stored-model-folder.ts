import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isMediaError, MediaErrorCode } from '../../media/media-error';
import {
  type ModelFolder,
  ModelFolderError,
  modelFileNames,
  type ModelManifest,
  readModelFolder,
} from '../../inference/model-manifest';
import type { MediaStorage } from '../../storage/media-storage';

/** The store's part in model versions: files go up at registration and come down where they run. */
export type ModelObjectStore = Pick<MediaStorage, 'putFile' | 'downloadTo'>;

/**
 * Where a version's files live in the object store: `models/<name>/<version>/<file>`. Versions
 * may hold `+`, which object keys here do not (object-key.ts); `_` stands for it. Two versions
 * that differ only there would share a prefix, and the later upload's files would then fail the
 * earlier manifest's hashes: refused, never mixed.
 */
export const modelPrefixUri = (manifest: Pick<ModelManifest, 'name' | 'version'>): string =>
  `media://models/${manifest.name}/${manifest.version.replace(/\+/g, '_')}`;

/**
 * Puts a model folder's files into the store and returns the URI recorded as the version's
 * artifactUri. manifest.json goes last, so a prefix with a manifest holds every file it names.
 */
export async function publishModelFolder(
  store: Pick<ModelObjectStore, 'putFile'>,
  dir: string,
  manifest: ModelManifest,
): Promise<string> {
  const prefix = modelPrefixUri(manifest);
  const names = modelFileNames(manifest).filter((n) => n !== 'manifest.json');
  for (const name of [...names, 'manifest.json']) await store.putFile(path.join(dir, name), `${prefix}/${name}`);
  return prefix;
}

/**
 * The folder of a stored version, downloaded once into `cacheDir` and checked against the
 * manifest's sha256 hashes before it is used. A copy already in the cache is checked again (it
 * may have been altered on disk) and downloaded anew when it fails. A download that fails its
 * hashes is deleted and its ModelIntegrityError thrown: the next attempt downloads again.
 *
 * `registered` is the manifest stored with the version at registration: a manifest.json in the
 * store whose hashes differ from it is refused as well, so altering the bucket's manifest and
 * files together does not get past the check.
 */
export async function loadStoredModelFolder(
  store: Pick<ModelObjectStore, 'downloadTo'>,
  prefixUri: string,
  cacheDir: string,
  registered?: Pick<ModelManifest, 'sha256'>,
): Promise<ModelFolder> {
  const target = path.join(cacheDir, ...prefixUri.slice('media://'.length).split('/'));
  if (fs.existsSync(target)) {
    try {
      return checked(readModelFolder(target), registered);
    } catch (err) {
      if (!(err instanceof ModelFolderError)) throw err;
      await fs.promises.rm(target, { recursive: true, force: true });
    }
  }
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  // Downloaded beside the target and renamed once checked: a reader never sees a partial copy.
  const tmp = `${target}.${randomUUID()}.part`;
  try {
    await fs.promises.mkdir(tmp);
    await download(store, `${prefixUri}/manifest.json`, path.join(tmp, 'manifest.json'));
    const manifest = JSON.parse(await fs.promises.readFile(path.join(tmp, 'manifest.json'), 'utf8')) as ModelManifest;
    for (const name of modelFileNames(manifest).filter((n) => n !== 'manifest.json')) {
      if (path.basename(name) !== name)
        throw new ModelFolderError(`${prefixUri}: model file ${name} is not a plain name`);
      await download(store, `${prefixUri}/${name}`, path.join(tmp, name));
    }
    checked(readModelFolder(tmp), registered);
    await fs.promises.rename(tmp, target).catch((err: NodeJS.ErrnoException) => {
      // Another load of the same version (in this process or one sharing the folder) won.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
    return checked(readModelFolder(target), registered);
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

function checked(folder: ModelFolder, registered: Pick<ModelManifest, 'sha256'> | undefined): ModelFolder {
  if (
    registered?.sha256 &&
    JSON.stringify(sorted(folder.manifest.sha256)) !== JSON.stringify(sorted(registered.sha256))
  )
    throw new ModelFolderError(`${folder.dir}: manifest.json's sha256 hashes differ from the registered version's`);
  return folder;
}

const sorted = (hashes: Record<string, string> | undefined) => Object.entries(hashes ?? {}).sort();

async function download(store: Pick<ModelObjectStore, 'downloadTo'>, uri: string, file: string): Promise<void> {
  try {
    await store.downloadTo(uri, file);
  } catch (err) {
    // A version with a missing file is the deployment's fault, not the job's: retried (plain error).
    if (isMediaError(err) && err.code === MediaErrorCode.NotFound)
      throw new ModelFolderError(`${uri}: missing from the object store`);
    throw err;
  }
}
