import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embedReferenceBank, uniqueVideos, writeBankFolder } from '../../../lab/evaluation/reference-bank';
import { queryFeatures } from '../../../lab/evaluation/serving-inputs';
import { readDatasetManifest, type ManifestItem } from '../../../lab/dataset/dataset-manifest';
import { createLogger } from '../../../src/common/logger';
import { OnnxEmbedder } from '../../../src/inference/embedder';
import {
  ModelFolderError,
  ModelIntegrityError,
  readModelFolder,
  sha256OfFile,
  type ModelFolder,
} from '../../../src/inference/model-manifest';
import { OnnxPool } from '../../../src/inference/onnx-pool';
import { makeMusicDir, makeTinyDataset } from '../dataset/tiny-dataset';

jest.setTimeout(180_000);

const MODEL_DIR = path.resolve(__dirname, '../../../models/default');

describe('uniqueVideos', () => {
  it('keeps each video once, in order', () => {
    const item = (videoId: string, trackId: string) => ({ videoId, trackId }) as ManifestItem;
    const ids = uniqueVideos([item('v1', 'a'), item('v0', 'a'), item('v1', 'b')]).map(
      (i) => `${i.videoId}${i.trackId}`,
    );
    expect(ids).toEqual(['v1a', 'v0a']);
  });
});

describe('reference bank of the default model (real ONNX, real ffmpeg)', () => {
  let dataset: string;
  let model: ModelFolder;
  let pool: OnnxPool;
  let embedder: OnnxEmbedder;
  let bank: number[][];
  let out: string;

  beforeAll(async () => {
    dataset = await makeTinyDataset(makeMusicDir(), 5, 3);
    model = readModelFolder(MODEL_DIR);
    pool = new OnnxPool(1, { provider: 'cpu', threadsPerSession: 1 }, createLogger('warn'));
    embedder = new OnnxEmbedder(pool, 8);
    bank = await embedReferenceBank({ model, datasetDirs: [dataset], split: 'all', embedder });
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-'));
  });
  afterAll(async () => {
    await pool.close();
  });

  it('embeds every video of the split exactly as a served query', async () => {
    const items = readDatasetManifest(path.join(dataset, 'manifest.json')).items;
    expect(bank).toHaveLength(uniqueVideos(items).length);
    const first = items[0]!;
    const clip = await queryFeatures(path.join(dataset, first.videoFile), path.join(dataset, first.voiceOverFile), {
      width: model.manifest.video.width,
      height: model.manifest.video.height,
    });
    const served = await embedder.embedQuery(model, clip);
    served.forEach((v, d) => expect(bank[0]![d]).toBeCloseTo(v, 6));
    expect(bank[1]).not.toEqual(bank[0]);
  });

  it('refuses a split with fewer than two videos', async () => {
    await expect(
      embedReferenceBank({ model, datasetDirs: [makeEmptySplitCopy(dataset)], split: 'test', embedder }),
    ).rejects.toThrow(/at least 2 videos/);
  });

  it('writes a folder that serving reads back with the bank, the same networks and fresh hashes', () => {
    const manifest = writeBankFolder(model, out, bank, 'bank-test', { datasets: [dataset], split: 'all' });
    const read = readModelFolder(out);
    expect(read.manifest.version).toBe('bank-test');
    expect(read.manifest.referenceQueryCount).toBe(bank.length);
    expect(read.referenceQueries!.map((r) => Array.from(r))).toEqual(bank.map((r) => Array.from(Float32Array.from(r))));
    for (const name of [model.manifest.files.query, model.manifest.files.bgm])
      expect(sha256OfFile(path.join(out, name))).toBe(sha256OfFile(path.join(MODEL_DIR, name)));
    expect(read.manifest.referenceSoftmaxBeta).toBe(model.manifest.referenceSoftmaxBeta);
    expect(manifest.metrics).toBeUndefined();
    expect((manifest.training as { referenceBank: { from: string } }).referenceBank.from).toBe(model.manifest.version);
    // The hashes cover the new bank: an altered copy is refused.
    const refs = path.join(out, read.manifest.files.referenceQueries!);
    const bytes = fs.readFileSync(refs);
    bytes[0] = bytes[0]! ^ 1;
    fs.writeFileSync(refs, bytes);
    expect(() => readModelFolder(out)).toThrow(ModelIntegrityError);
  });

  it('refuses a version serving would refuse, before writing anything', () => {
    const fresh = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bank-bad-')), 'out');
    expect(() => writeBankFolder(model, fresh, bank, 'v'.repeat(65), { datasets: [], split: 'all' })).toThrow(
      ModelFolderError,
    );
    expect(fs.existsSync(fresh)).toBe(false);
  });

  it('refuses rows of the wrong size and writing over its source', () => {
    expect(() => writeBankFolder(model, out, [[1, 2]], 'x', { datasets: [], split: 'all' })).toThrow(/512 numbers/);
    expect(() => writeBankFolder(model, MODEL_DIR, bank, 'x', { datasets: [], split: 'all' })).toThrow(/its source/);
  });
});

/** A copy of the dataset's manifest in which no item is in the test split. */
function makeEmptySplitCopy(dataset: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-empty-'));
  const manifest = JSON.parse(fs.readFileSync(path.join(dataset, 'manifest.json'), 'utf8')) as {
    items: { split: string }[];
  };
  manifest.items.forEach((i) => (i.split = 'train'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}
