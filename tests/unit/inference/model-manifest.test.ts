import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { ModelFolderError, ModelIntegrityError, readModelFolder } from '../../../src/inference/model-manifest';

const manifest = (extra: Record<string, unknown> = {}, files: Record<string, string> = {}) => ({
  format: 'bgm-model/1',
  name: 'mrcmv',
  version: 't1',
  embeddingDim: 512,
  clipSeconds: 32,
  audio: { sampleRate: 16000, melBins: 64, patchFrames: 96, patchesPerClip: 33 },
  video: { fastFrames: 64, slowFrames: 8, height: 64, width: 64 },
  files: { query: 'query.onnx', bgm: 'bgm.onnx', ...files },
  ...extra,
});

function folder(m: object, refs?: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  fs.writeFileSync(path.join(dir, 'query.onnx'), '');
  fs.writeFileSync(path.join(dir, 'bgm.onnx'), '');
  if (refs) fs.writeFileSync(path.join(dir, 'refs.f32'), refs);
  return dir;
}

describe('readModelFolder reference queries', () => {
  it('reads none when the manifest names none (older folders rank by raw cosine)', () => {
    const f = readModelFolder(folder(manifest()));
    expect(f.referenceQueries).toBeUndefined();
    expect(f.manifest.windowHopSeconds).toBe(32);
    expect(f.manifest.referenceSoftmaxBeta).toBe(0);
  });

  it('reads the voice-over length input a masked timing head takes, and refuses a bad name', () => {
    const input = { voiceSeconds: { input: 'voice_seconds' } };
    expect(readModelFolder(folder(manifest(input))).manifest.voiceSeconds).toEqual({ input: 'voice_seconds' });
    expect(readModelFolder(folder(manifest())).manifest.voiceSeconds).toBeUndefined();
    expect(() => readModelFolder(folder(manifest({ voiceSeconds: { input: 'a b' } })))).toThrow(ModelFolderError);
  });

  it('reads the catalog typicality settings, and refuses bad ones or ones without reference queries', () => {
    const refs = Buffer.alloc(2 * 512 * 4);
    const withRefs = (extra: object) =>
      folder(manifest({ referenceQueryCount: 2, ...extra }, { referenceQueries: 'refs.f32' }), refs);
    const typicality = { catalogTypicality: { lambda: -0.2, bins: 31 } };
    expect(readModelFolder(withRefs(typicality)).manifest.catalogTypicality).toEqual({
      lambda: -0.2,
      bins: 31,
      probeStride: 4,
    });
    expect(readModelFolder(withRefs({})).manifest.catalogTypicality).toBeUndefined();
    for (const bad of [
      { lambda: 11, bins: 31 },
      { lambda: -0.2, bins: 0 },
      { lambda: -0.2, bins: 513 },
      { lambda: -0.2, bins: 31, probeStride: 0 },
      { lambda: '-0.2', bins: 31 },
    ])
      expect(() => readModelFolder(withRefs({ catalogTypicality: bad }))).toThrow(ModelFolderError);
    expect(() => readModelFolder(folder(manifest(typicality)))).toThrow(/needs files.referenceQueries/);
  });

  it('reads the centre sharpness, and refuses one outside [0, 1000]', () => {
    expect(readModelFolder(folder(manifest({ referenceSoftmaxBeta: 20 }))).manifest.referenceSoftmaxBeta).toBe(20);
    for (const beta of [-1, 1001, '20'])
      expect(() => readModelFolder(folder(manifest({ referenceSoftmaxBeta: beta })))).toThrow(ModelFolderError);
  });

  it('reads count x 512 little-endian float32 rows', () => {
    const values = new Float32Array(2 * 512).map((_, i) => i / 1024);
    const f = readModelFolder(
      folder(manifest({ referenceQueryCount: 2 }, { referenceQueries: 'refs.f32' }), Buffer.from(values.buffer)),
    );
    expect(f.referenceQueries).toHaveLength(2);
    expect(f.referenceQueries![1]![0]).toBeCloseTo(512 / 1024, 6);
    expect(f.referenceQueries![1]![511]).toBeCloseTo(1023 / 1024, 6);
  });

  it('names what is wrong: a size that does not match the count, a missing count, a missing file', () => {
    const refs = Buffer.alloc(512 * 4 * 3);
    expect(() =>
      readModelFolder(folder(manifest({ referenceQueryCount: 2 }, { referenceQueries: 'refs.f32' }), refs)),
    ).toThrow(/expected 2 x 512 float32/);
    expect(() => readModelFolder(folder(manifest({}, { referenceQueries: 'refs.f32' }), refs))).toThrow(
      /needs referenceQueryCount/,
    );
    expect(() =>
      readModelFolder(folder(manifest({ referenceQueryCount: 2 }, { referenceQueries: 'refs.f32' }))),
    ).toThrow(ModelFolderError);
  });
});

describe('readModelFolder sha256 hashes', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  it('reads a folder whose files match the hashes, and one without hashes (older folders)', () => {
    const dir = folder(manifest({ sha256: { 'query.onnx': sha(''), 'bgm.onnx': sha('') } }));
    expect(readModelFolder(dir).manifest.sha256).toEqual({ 'query.onnx': sha(''), 'bgm.onnx': sha('') });
    expect(readModelFolder(folder(manifest())).manifest.sha256).toBeUndefined();
  });

  it('allows a file without a hash while checking those that have one', () => {
    const dir = folder(manifest({ sha256: { 'bgm.onnx': sha('') } }));
    fs.writeFileSync(path.join(dir, 'query.onnx'), 'not what was exported, but unhashed');
    expect(readModelFolder(dir).queryPath).toBe(path.join(dir, 'query.onnx'));
  });

  it('refuses a tampered file with a typed error that names it', () => {
    const dir = folder(manifest({ sha256: { 'query.onnx': sha(''), 'bgm.onnx': sha('') } }));
    fs.writeFileSync(path.join(dir, 'bgm.onnx'), 'tampered');
    let caught: unknown;
    try {
      readModelFolder(dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ModelIntegrityError);
    expect(caught).toBeInstanceOf(ModelFolderError);
    expect(caught).toMatchObject({ file: path.join(dir, 'bgm.onnx'), expected: sha(''), actual: sha('tampered') });
  });

  it('refuses malformed hashes and hashes of files outside the folder', () => {
    expect(() => readModelFolder(folder(manifest({ sha256: { 'bgm.onnx': 'abc' } })))).toThrow(/sha256.*a hex sha256/);
    expect(() => readModelFolder(folder(manifest({ sha256: { '../x': sha('') } })))).toThrow(/missing model file/);
  });
});
