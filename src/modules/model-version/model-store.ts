import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { projectRoot } from '../../common/paths';
import type { ModelVersionRecord } from '../../db/prisma-types';
import { type ModelFolder, readModelFolder } from '../../inference/model-manifest';

/** `file://` URI stored as a model version's artifact location. */
export const artifactUriFor = (dir: string) => pathToFileURL(path.resolve(dir)).href;

/** The model folder shipped with the repository; the embedded default registers it. */
export const BUNDLED_MODEL_DIR = () => path.join(projectRoot(), 'models', 'default');

/** Resolves model versions to their folders (read and checked once per version). */
export class ModelStore {
  private readonly cache = new Map<string, ModelFolder>();

  folder(model: Pick<ModelVersionRecord, 'id' | 'artifactUri'>): ModelFolder {
    let folder = this.cache.get(model.id);
    if (!folder) {
      const dir = model.artifactUri.startsWith('file://')
        ? fileURLToPath(model.artifactUri)
        : path.resolve(projectRoot(), model.artifactUri);
      folder = readModelFolder(dir);
      this.cache.set(model.id, folder);
    }
    return folder;
  }
}
