import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { projectRoot } from '../../common/paths';
import type { ModelVersionRecord } from '../../db/prisma-types';
import { type ModelFolder, type ModelManifest, readModelFolder } from '../../inference/model-manifest';
import { loadStoredModelFolder, type ModelObjectStore } from './stored-model-folder';

/** `file://` URI stored as a model version's artifact location. */
export const artifactUriFor = (dir: string) => pathToFileURL(path.resolve(dir)).href;

/** The model folder shipped with the repository; the embedded default registers it. */
export const BUNDLED_MODEL_DIR = () => path.join(projectRoot(), 'models', 'default');

/** Where a process downloads the versions kept in the object store. */
export interface StoredModels {
  store: Pick<ModelObjectStore, 'downloadTo'>;
  cacheDir: string;
}

/**
 * Resolves model versions to their folders, read and checked once per version: a `file://`
 * folder as it is, a `media://models/...` version (MEDIA_STORE=s3) downloaded into the cache
 * first. A load that fails is forgotten, so the next job tries again (a store outage passes).
 */
export class ModelStore {
  private readonly cache = new Map<string, Promise<ModelFolder>>();

  constructor(private readonly stored?: StoredModels) {}

  folder(model: Pick<ModelVersionRecord, 'id' | 'artifactUri' | 'manifest'>): Promise<ModelFolder> {
    let folder = this.cache.get(model.id);
    if (!folder) {
      folder = this.load(model);
      this.cache.set(model.id, folder);
      void folder.catch(() => this.cache.delete(model.id));
    }
    return folder;
  }

  private async load(model: Pick<ModelVersionRecord, 'artifactUri' | 'manifest'>): Promise<ModelFolder> {
    const uri = model.artifactUri;
    if (uri.startsWith('media://')) {
      if (!this.stored) throw new Error(`model version at ${uri} needs the object store (MEDIA_STORE=s3)`);
      const registered = model.manifest as Pick<ModelManifest, 'sha256'> | null;
      return loadStoredModelFolder(this.stored.store, uri, this.stored.cacheDir, registered ?? undefined);
    }
    return readModelFolder(uri.startsWith('file://') ? fileURLToPath(uri) : path.resolve(projectRoot(), uri));
  }
}
