import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelFolderError, ModelIntegrityError, readModelFolder } from '../../../../src/inference/model-manifest';
import {
  loadStoredModelFolder,
  modelPrefixUri,
  publishModelFolder,
} from '../../../../src/modules/model-version/stored-model-folder';
import { LocalMediaStorage } from '../../../../src/storage/media-storage';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A model folder whose manifest hashes its two files; the store is a local folder (same seam as S3). */
function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stored-model-'));
  const dir = path.join(root, 'export');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'query.onnx'), 'query bytes');
  fs.writeFileSync(path.join(dir, 'bgm.onnx'), 'bgm bytes');
  fs.writeFileSync(path.join(dir, 'README.md'), 'not a model file');
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      format: 'bgm-model/1',
      name: 'mrcmv',
      version: '1.0+b2',
      embeddingDim: 512,
      clipSeconds: 32,
      audio: { sampleRate: 16000, melBins: 64, patchFrames: 96, patchesPerClip: 33 },
      video: { fastFrames: 64, slowFrames: 8, height: 64, width: 64 },
      files: { query: 'query.onnx', bgm: 'bgm.onnx' },
      sha256: { 'query.onnx': sha('query bytes'), 'bgm.onnx': sha('bgm bytes') },
    }),
  );
  const store = new LocalMediaStorage(path.join(root, 'bucket'), 1024);
  const cacheDir = path.join(root, 'cache');
  const { manifest } = readModelFolder(dir);
  return { root, dir, store, cacheDir, manifest };
}

describe('model versions in the object store', () => {
  it('uploads the files the manifest names under models/<name>/<version> and loads them back checked', async () => {
    const { root, dir, store, cacheDir, manifest } = setup();
    const uri = await publishModelFolder(store, dir, manifest);
    expect(uri).toBe('media://models/mrcmv/1.0_b2');
    expect(fs.readdirSync(path.join(root, 'bucket', 'models', 'mrcmv', '1.0_b2')).sort()).toEqual([
      'bgm.onnx',
      'manifest.json',
      'query.onnx',
    ]);
    const folder = await loadStoredModelFolder(store, uri, cacheDir, manifest);
    expect(folder.dir).toBe(path.join(cacheDir, 'models', 'mrcmv', '1.0_b2'));
    expect(fs.readFileSync(folder.bgmPath, 'utf8')).toBe('bgm bytes');
    // Loaded again (a restart): the cached copy is used, still checked.
    expect((await loadStoredModelFolder(store, uri, cacheDir, manifest)).dir).toBe(folder.dir);
  });

  it('refuses a tampered object with ModelIntegrityError and keeps nothing of the download', async () => {
    const { root, dir, store, cacheDir, manifest } = setup();
    const uri = await publishModelFolder(store, dir, manifest);
    fs.writeFileSync(path.join(root, 'bucket', 'models', 'mrcmv', '1.0_b2', 'query.onnx'), 'evil bytes');
    await expect(loadStoredModelFolder(store, uri, cacheDir, manifest)).rejects.toThrow(ModelIntegrityError);
    expect(fs.readdirSync(path.join(cacheDir, 'models', 'mrcmv'))).toEqual([]);
  });

  it('refuses a manifest altered in the store together with its files (hashes differ from the registered ones)', async () => {
    const { root, dir, store, cacheDir, manifest } = setup();
    const uri = await publishModelFolder(store, dir, manifest);
    const stored = path.join(root, 'bucket', 'models', 'mrcmv', '1.0_b2');
    fs.writeFileSync(path.join(stored, 'query.onnx'), 'evil bytes');
    const altered = { ...manifest, sha256: { ...manifest.sha256, 'query.onnx': sha('evil bytes') } };
    fs.writeFileSync(path.join(stored, 'manifest.json'), JSON.stringify(altered));
    await expect(loadStoredModelFolder(store, uri, cacheDir, manifest)).rejects.toThrow(/differ from the registered/);
    expect(fs.readdirSync(path.join(cacheDir, 'models', 'mrcmv'))).toEqual([]);
  });

  it('downloads again when the cached copy was altered on disk', async () => {
    const { dir, store, cacheDir, manifest } = setup();
    const uri = await publishModelFolder(store, dir, manifest);
    const folder = await loadStoredModelFolder(store, uri, cacheDir, manifest);
    fs.writeFileSync(folder.queryPath, 'corrupted on disk');
    const again = await loadStoredModelFolder(store, uri, cacheDir, manifest);
    expect(fs.readFileSync(again.queryPath, 'utf8')).toBe('query bytes');
  });

  it('says which file is missing from the store (a plain error: the job is retried)', async () => {
    const { root, dir, store, cacheDir, manifest } = setup();
    const uri = await publishModelFolder(store, dir, manifest);
    fs.rmSync(path.join(root, 'bucket', 'models', 'mrcmv', '1.0_b2', 'bgm.onnx'));
    const err = await loadStoredModelFolder(store, uri, cacheDir, manifest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFolderError);
    expect((err as Error).message).toBe(`${modelPrefixUri(manifest)}/bgm.onnx: missing from the object store`);
  });
});
