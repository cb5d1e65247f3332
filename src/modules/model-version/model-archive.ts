import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import AdmZip from 'adm-zip';
import { badInput } from '../../common/errors';

/** A model folder holds manifest.json, two ONNX files and optional reference queries. */
export const MAX_ARCHIVE_ENTRIES = 16;
/** Unpacked bytes of one archive: the largest folder the contract allows (25 MB) with room to spare. */
export const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;

/**
 * Unpacks a model archive (a zip of the folder's files, at its root or inside one folder, as
 * `zip -r model.zip default/` makes it) into the scratch folder `dir` (the caller removes it).
 * Refused, as BAD_USER_INPUT on `argument` saying which rule the archive broke: a file that is
 * not a zip, more than MAX_ARCHIVE_ENTRIES entries, nested folders or names that climb out (checked
 * before anything is written), more than MAX_UNPACKED_BYTES declared, or an entry that inflates to
 * another size than its header declares.
 */
export function unpackModelArchive(file: string, dir: string, argument: string): void {
  const refuse = (why: string) => badInput(`${argument}: ${why}`, { argument });
  let zip: AdmZip;
  try {
    zip = new AdmZip(file);
  } catch (err) {
    throw refuse(`not a zip archive (${(err as Error).message})`);
  }
  const entries = zip.getEntries().filter((e) => !e.isDirectory && !isMacMetadata(e.entryName));
  if (entries.length === 0) throw refuse('the archive holds no files');
  if (entries.length > MAX_ARCHIVE_ENTRIES)
    throw refuse(`${entries.length} files; a model folder has at most ${MAX_ARCHIVE_ENTRIES}`);
  const names = entries.map((e) => e.entryName.replace(/\\/g, '/'));
  const tops = new Set(names.map((n) => (n.includes('/') ? n.slice(0, n.indexOf('/')) : '')));
  // Either every file at the root, or every file inside one folder.
  const prefix = tops.size === 1 && !tops.has('') ? `${[...tops][0]}/` : '';
  const declared = entries.reduce((sum, e) => sum + e.header.size, 0);
  if (declared > MAX_UNPACKED_BYTES) throw refuse(`unpacks to ${declared} bytes; at most ${MAX_UNPACKED_BYTES}`);
  const files = names.map((n, i) => {
    const name = n.slice(prefix.length);
    if (!/^[A-Za-z0-9._+-]{1,255}$/.test(name) || name === '.' || name === '..')
      throw refuse(`${n}: files must sit side by side (at the root or in one folder) with plain names`);
    return { name, entry: entries[i]! };
  });
  if (new Set(files.map((f) => f.name)).size !== files.length) throw refuse('two files with the same name');
  let written = 0;
  for (const { name, entry } of files) {
    const data = inflate(entry, (why) => refuse(`${entry.entryName}: ${why}`));
    // The header's size is the uploader's word; what inflates is what counts.
    written += data.length;
    if (data.length !== entry.header.size || written > MAX_UNPACKED_BYTES)
      throw refuse(
        `${entry.entryName}: inflates to ${data.length} bytes, not the ${entry.header.size} its header declares`,
      );
    fs.writeFileSync(path.join(dir, name), data);
  }
}

/**
 * An entry's bytes, inflated here rather than by adm-zip so that the output is capped at the size
 * the header declares: a zip bomb stops at that many bytes instead of filling memory.
 */
function inflate(entry: AdmZip.IZipEntry, refuse: (why: string) => Error): Buffer {
  const { method, size } = entry.header;
  if (entry.header.encrypted) throw refuse('encrypted entries are not supported');
  try {
    if (method === 0) return entry.getCompressedData();
    if (method === 8) return zlib.inflateRawSync(entry.getCompressedData(), { maxOutputLength: Math.max(1, size) });
  } catch (err) {
    throw refuse((err as Error).message);
  }
  throw refuse(`compression method ${method} is not supported (store or deflate)`);
}

/** Finder's resource forks (`__MACOSX/…`, `._name`) ride along in zips made on a Mac. */
const isMacMetadata = (name: string) => name.startsWith('__MACOSX/') || path.posix.basename(name).startsWith('._');
