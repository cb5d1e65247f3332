import type { Logger } from '../../common/logger';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import { type ModelManifest, readModelFolder } from '../../inference/model-manifest';
import { artifactUriFor } from './model-store';
import type { ModelVersionRepository, NewModelVersion } from './model-version.repository';
import { type ModelObjectStore, publishModelFolder } from './stored-model-folder';

/** The row of a version as its manifest describes it, stored at `artifactUri`. */
export function versionFields(manifest: ModelManifest, artifactUri: string): NewModelVersion {
  return {
    name: manifest.name,
    version: manifest.version,
    dims: manifest.embeddingDim,
    artifactUri,
    manifest: JSON.parse(JSON.stringify(manifest)) as Record<string, never>,
    metrics: manifest.metrics ? (JSON.parse(JSON.stringify(manifest.metrics)) as Record<string, never>) : undefined,
  };
}

/**
 * Registers a model-version folder (idempotent on name + version) and makes it active when no
 * version is active yet, so a fresh installation can suggest as soon as its catalog is embedded.
 *
 * With an object store (MEDIA_STORE=s3) a new version's files are uploaded first and the version
 * points at them, so every worker and API process loads the same bytes wherever it runs; without
 * one it points at the folder (file://), which every process must then have at that path. A
 * version registered already keeps its location and nothing is uploaded again.
 */
export async function registerModelFolder(
  uow: UnitOfWork<{ models: ModelVersionRepository }>,
  dir: string,
  logger: Logger,
  store?: Pick<ModelObjectStore, 'putFile'>,
): Promise<ModelVersionRecord> {
  // Checked (hashes included) before anything is uploaded or recorded.
  const { manifest } = readModelFolder(dir);
  const known = await uow.run(({ models }) => models.findByNameVersion(manifest.name, manifest.version));
  let artifactUri = known?.artifactUri ?? artifactUriFor(dir);
  if (!known && store) {
    artifactUri = await publishModelFolder(store, dir, manifest);
    logger.info({ model: `${manifest.name}@${manifest.version}`, artifactUri }, 'model files uploaded to the store');
  }
  return uow.run(async ({ models }) => {
    let model = await models.upsert(versionFields(manifest, artifactUri));
    if (!(await models.findActive())) {
      model = await models.activate(model.id);
      logger.info({ model: `${model.name}@${model.version}` }, 'activated model version (none was active)');
    }
    return model;
  });
}
