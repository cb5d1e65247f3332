import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireRole, type Principal } from '../../auth/principal';
import { AppError, badInput, conflict, ErrorCode, failedPrecondition, notFound } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { ModelVersionRecord } from '../../db/prisma-types';
import type { UnitOfWork } from '../../db/unit-of-work';
import { type ModelFolder, ModelFolderError, modelFileNames, readModelFolder } from '../../inference/model-manifest';
import type { JobRepository } from '../../jobs/job.repository';
import type { MediaStorage } from '../../storage/media-storage';
import type { UploadRepository } from '../video/upload.repository';
import { discardIfUnheld, locateUpload } from '../video/upload.service';
import type { VideoRepository } from '../video/video.repository';
import { unpackModelArchive } from './model-archive';
import type { ModelVersionRepository } from './model-version.repository';
import { versionFields } from './model-registration';
import { modelPrefixUri, publishModelFolder } from './stored-model-folder';

export interface RegistryRepositories {
  models: ModelVersionRepository;
  jobs: Pick<JobRepository, 'enqueue'>;
  uploads: Pick<UploadRepository, 'owns' | 'remove' | 'hasUploader' | 'recordPendingDeletion'>;
  videos: Pick<VideoRepository, 'lockMedia' | 'isMediaReferenced'>;
}

export interface RegisterModelRequest {
  /** The caller's upload of a zip of the model folder (POST /media/uploads or createUpload kind MODEL). */
  archive: string;
  /** The version this one was trained from or replaces, recorded in its lineage. */
  parentVersionId?: string;
  /** What produced it (data snapshot, training command), recorded in its lineage. */
  notes?: string;
}

export const MAX_NOTES_LENGTH = 2000;

/**
 * The model registry's write side (issue 16): registering a model folder uploaded as an archive,
 * retiring and deleting versions. Activation stays in ModelVersionService.
 *
 * Registration checks everything it can without running the model (the manifest against the
 * contract, the files against the manifest's hashes), copies the files to the media store under
 * models/<name>/<version>/ so every worker loads the same bytes, and records the version
 * VALIDATING with a PROBE_MODEL job in one transaction; the job's probe makes it a CANDIDATE or
 * REJECTED. A refused archive leaves nothing behind: no row, no stored model files.
 */
export class ModelRegistryService {
  constructor(
    private readonly uow: UnitOfWork<RegistryRepositories>,
    private readonly storage: MediaStorage,
    private readonly onEnqueued: () => void,
    private readonly logger: Logger,
  ) {}

  async register(principal: Principal | undefined, request: RegisterModelRequest): Promise<ModelVersionRecord> {
    const admin = requireRole(principal, 'admin');
    const origin = await this.origin(request);
    const archive = await locateUpload(this.storage, this.uow, admin.id, request.archive, 'archive');
    if (!archive.uri.endsWith('.zip'))
      throw badInput('archive: must be a .zip of the model folder', { argument: 'archive' });
    if (!(await this.uow.run(({ uploads }) => uploads.owns(admin.id, archive.uri))))
      throw badInput('archive: not an upload of yours', { argument: 'archive' });

    const model = await this.storage.withLocalFile(archive.uri, async (file) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-model-archive-'));
      try {
        unpackModelArchive(file, dir, 'archive');
        return await this.store(admin, dir, 'archive', {
          archive: archive.uri,
          archiveBytes: archive.sizeBytes,
          ...origin,
        });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
    // The archive was only the way in: its files now live under models/.
    await this.uow.run(async ({ uploads, videos }) => {
      await videos.lockMedia([archive.uri]);
      await uploads.remove(admin.id, archive.uri);
      await discardIfUnheld({ uploads, videos }, this.storage, archive.uri);
    });
    return model;
  }

  /**
   * Registers a model folder on this machine the same way (checks, files to the store, VALIDATING
   * and a PROBE_MODEL job): the training job's last step (src/bin/register-model.ts), which runs
   * beside the database rather than through the API.
   */
  async registerFolder(
    principal: Principal | undefined,
    dir: string,
    request: Omit<RegisterModelRequest, 'archive'>,
  ): Promise<ModelVersionRecord> {
    const admin = requireRole(principal, 'admin');
    const origin = await this.origin(request);
    return this.store(admin, dir, 'dir', { folder: path.resolve(dir), ...origin });
  }

  /** The lineage's parent and notes, checked (a parent that does not exist is NOT_FOUND). */
  private async origin(request: Omit<RegisterModelRequest, 'archive'>) {
    if (request.notes !== undefined && request.notes.length > MAX_NOTES_LENGTH)
      throw badInput(`notes: at most ${MAX_NOTES_LENGTH} characters`, { argument: 'notes' });
    const parent = request.parentVersionId
      ? await this.uow.run(({ models }) => models.findById(request.parentVersionId!))
      : undefined;
    if (request.parentVersionId && !parent) throw notFound('ModelVersion', request.parentVersionId);
    return {
      parentVersionId: parent?.id ?? null,
      parentVersion: parent ? `${parent.name}@${parent.version}` : null,
      notes: request.notes ?? null,
    };
  }

  /**
   * The checked folder's files to the store, then the VALIDATING row and its probe job in one
   * transaction; the queue is told, and the registration logged, once that has committed.
   */
  private async store(
    admin: Principal,
    dir: string,
    argument: string,
    lineage: Record<string, unknown>,
  ): Promise<ModelVersionRecord> {
    const { manifest } = checkedFolder(dir, argument);
    // Files the manifest does not name (a model card, notes) are not stored: workers load only what it names.
    const ignoredFiles = fs.readdirSync(dir).filter((n) => !modelFileNames(manifest).includes(n));
    const taken = await this.uow.run(({ models }) => models.findByNameVersion(manifest.name, manifest.version));
    if (taken) throw conflict(`model ${manifest.name}@${manifest.version} is already registered`, { id: taken.id });
    const artifactUri = await publishModelFolder(this.storage, dir, manifest);
    const record = { ...lineage, registeredBy: admin.id, training: manifest.training ?? null, ignoredFiles };
    const model = await this.uow.run(async ({ models, jobs }) => {
      const created = await models.createValidating({
        ...versionFields(manifest, artifactUri),
        lineage: JSON.parse(JSON.stringify(record)) as Record<string, never>,
      });
      // Lost a race with a registration of the same name and version; its probe checks the files it finds.
      if (!created) throw conflict(`model ${manifest.name}@${manifest.version} is already registered`);
      await jobs.enqueue('PROBE_MODEL', { modelVersionId: created.id });
      return created;
    });
    this.onEnqueued();
    this.logger.info({ model: `${model.name}@${model.version}`, id: model.id }, 'model version registered: probing');
    return model;
  }

  /** Takes a version out of use for good; the active version and one being activated are refused. */
  async retire(principal: Principal | undefined, id: string, reason?: string): Promise<ModelVersionRecord> {
    requireRole(principal, 'admin');
    if (reason !== undefined && reason.length > MAX_NOTES_LENGTH)
      throw badInput(`reason: at most ${MAX_NOTES_LENGTH} characters`, { argument: 'reason' });
    return this.uow.run(async ({ models }) => {
      const model = await models.lockById(id);
      if (!model) throw notFound('ModelVersion', id);
      refuseInUse(model, 'retired');
      if (model.status === 'RETIRED') return model;
      return models.retire(id, reason ?? null);
    });
  }

  /**
   * Deletes a version, its embeddings and (for a registered archive) its stored files. Refused for
   * the active version, one being activated, and one an experiment compares (retire it instead).
   */
  async delete(principal: Principal | undefined, id: string): Promise<ModelVersionRecord> {
    requireRole(principal, 'admin');
    const model = await this.uow.run(async ({ models }) => {
      const found = await models.lockById(id);
      if (!found) throw notFound('ModelVersion', id);
      refuseInUse(found, 'deleted');
      if (await models.inExperiment(id))
        throw failedPrecondition('an experiment compares this version: retire it instead', { id });
      await models.delete(id);
      return found;
    });
    if (model.artifactUri === modelPrefixUri(model)) {
      await this.storage.discardFolder(model.artifactUri).catch((err: unknown) => {
        // The row is gone; files left by an outage are only storage, logged for the operator.
        if (!(err instanceof AppError && err.code === ErrorCode.ServiceUnavailable)) throw err;
        this.logger.warn({ uri: model.artifactUri }, 'media store unavailable: model files of a deleted version left');
      });
    }
    this.logger.info({ model: `${model.name}@${model.version}`, id }, 'model version deleted');
    return model;
  }
}

function refuseInUse(model: ModelVersionRecord, what: string): void {
  if (model.active)
    throw failedPrecondition(`the active version cannot be ${what}: activate another first`, { id: model.id });
  if (model.activationRequestedAt)
    throw failedPrecondition(`the version is being activated and cannot be ${what}`, { id: model.id });
}

/** The unpacked folder checked against the contract; the error names the file, not the scratch path. */
function checkedFolder(dir: string, argument: string): ModelFolder {
  const refuse = (why: string) => badInput(`${argument}: ${why}`, { argument });
  let folder: ModelFolder;
  try {
    folder = readModelFolder(dir);
  } catch (err) {
    if (err instanceof ModelFolderError)
      throw refuse(err.message.split(`${dir}${path.sep}`).join('').split(dir).join('.'));
    throw err;
  }
  // Workers check every download against these hashes: a version without them could be altered unseen.
  const names = modelFileNames(folder.manifest);
  const missing = names.filter((n) => n !== 'manifest.json' && !folder.manifest.sha256?.[n]);
  if (missing.length)
    throw refuse(`manifest.json has no sha256 for ${missing.join(', ')} (training/mrcmv/export.py writes them)`);
  return folder;
}
