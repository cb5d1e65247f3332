import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { AppError } from '../../../../src/common/errors';
import { MAX_ARCHIVE_ENTRIES, unpackModelArchive } from '../../../../src/modules/model-version/model-archive';

describe('unpackModelArchive', () => {
  let work: string;
  let out: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'model-archive-'));
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'model-archive-out-'));
  });
  afterEach(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  const zipOf = (files: Record<string, string>): string => {
    const zip = new AdmZip();
    for (const [name, body] of Object.entries(files)) zip.addFile(name, Buffer.from(body));
    const file = path.join(work, 'model.zip');
    zip.writeZip(file);
    return file;
  };
  const refusal = (file: string): string => {
    try {
      unpackModelArchive(file, out, 'archive');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('BAD_USER_INPUT');
      return (err as Error).message;
    }
    throw new Error('the archive was accepted');
  };

  it('unpacks files at the root', () => {
    unpackModelArchive(zipOf({ 'manifest.json': '{}', 'query.onnx': 'q', 'bgm.onnx': 'b' }), out, 'archive');
    expect(fs.readdirSync(out).sort()).toEqual(['bgm.onnx', 'manifest.json', 'query.onnx']);
    expect(fs.readFileSync(path.join(out, 'query.onnx'), 'utf8')).toBe('q');
  });

  it('unpacks a zipped folder (zip -r model.zip default/) and ignores a Mac resource fork', () => {
    const file = zipOf({ 'default/manifest.json': '{}', 'default/bgm.onnx': 'b', '__MACOSX/default/._bgm.onnx': 'x' });
    unpackModelArchive(file, out, 'archive');
    expect(fs.readdirSync(out).sort()).toEqual(['bgm.onnx', 'manifest.json']);
  });

  it('refuses what is not a zip, an empty zip, nested folders, names that climb out and too many files', () => {
    const notZip = path.join(work, 'x.zip');
    fs.writeFileSync(notZip, 'plain text');
    expect(refusal(notZip)).toMatch(/^archive: not a zip archive/);
    expect(refusal(zipOf({}))).toMatch(/holds no files/);
    expect(refusal(zipOf({ 'a/manifest.json': '{}', 'a/b/bgm.onnx': 'b' }))).toMatch(/side by side/);
    expect(refusal(zipOf({ 'manifest.json': '{}', 'x/bgm.onnx': 'b' }))).toMatch(/side by side/);
    const many = Object.fromEntries(Array.from({ length: MAX_ARCHIVE_ENTRIES + 1 }, (_, i) => [`f${i}`, 'x']));
    expect(refusal(zipOf(many))).toMatch(/at most 16/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('stops inflating an entry at the size its header declares (a zip bomb)', () => {
    const file = zipOf({ 'manifest.json': '{}', 'bgm.onnx': 'x'.repeat(1_000_000) });
    // Rewrite the declared size in both headers: 1 MB of 'x' now claims to be 1 KB.
    const bytes = fs.readFileSync(file);
    const sizeField = Buffer.alloc(4);
    sizeField.writeUInt32LE(1_000_000);
    for (let at = bytes.indexOf(sizeField); at >= 0; at = bytes.indexOf(sizeField, at + 4))
      bytes.writeUInt32LE(1024, at);
    fs.writeFileSync(file, bytes);
    expect(refusal(file)).toMatch(/bgm\.onnx: .*(larger than|maxOutputLength|buffer)/i);
    expect(fs.existsSync(path.join(out, 'bgm.onnx'))).toBe(false);
  });

  it('refuses an entry that climbs out of the folder', () => {
    const zip = new AdmZip();
    zip.addFile('manifest.json', Buffer.from('{}'));
    zip.addFile('bgm.onnx', Buffer.from('b'));
    // adm-zip keeps the name as given: what a hand-made archive could carry.
    zip.getEntries()[1]!.entryName = '../bgm.onnx';
    const file = path.join(work, 'evil.zip');
    zip.writeZip(file);
    expect(refusal(file)).toMatch(/side by side/);
    expect(fs.existsSync(path.join(out, '..', 'bgm.onnx'))).toBe(false);
  });
});
