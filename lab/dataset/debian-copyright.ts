import fs from 'node:fs';
import path from 'node:path';
import { licenseFromProse, licenseFromTag, type LicenseName } from './license-names';

/** What a Debian package's copyright file says about one of its files. */
export interface PackageLicense {
  packageName: string;
  licensor: string | null;
  license: LicenseName | null;
  sourceUrl: string | null;
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

export function copyrightPath(packageName: string, docRoot = '/usr/share/doc'): string {
  if (!PACKAGE_NAME.test(packageName)) throw new RangeError(`not a Debian package name: ${packageName}`);
  return path.join(docRoot, packageName, 'copyright');
}

type Paragraph = Map<string, string>;

/** deb822 paragraphs; continuation lines keep their text, " ." is an empty line. */
function paragraphs(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  let current: Paragraph = new Map();
  let key: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.size > 0) out.push(current);
      current = new Map();
      key = undefined;
    } else if (/^\s/.test(line) && key) {
      const more = line.trim() === '.' ? '' : line.trim();
      current.set(key, `${current.get(key) ?? ''}\n${more}`);
    } else {
      const m = /^([A-Za-z-]+):\s?(.*)$/.exec(line);
      if (m) {
        key = (m[1] ?? '').toLowerCase();
        current.set(key, m[2] ?? '');
      }
    }
  }
  if (current.size > 0) out.push(current);
  return out;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`(^|/)${body}$`);
}

/** Copyright: "2007-2008, 2012 Max McCracken <mail>" -> "Max McCracken". */
export function holderName(line: string): string {
  return line
    .replace(/^\s*copyright\s*/i, '')
    .replace(/\(c\)|©/gi, '')
    .replace(/<[^>]*>/g, '')
    .replace(/^[\s\d,\-–]+(by\s+)?/i, '')
    .replace(/\s+\d{4}(\s*[-–]\s*\d{4})?\s*$/, '')
    .replace(/[\s.,]+$/, '')
    .trim();
}

function fromMachineReadable(text: string, packageName: string, filePath: string): PackageLicense {
  const paras = paragraphs(text);
  const header = paras[0] ?? new Map<string, string>();
  // DEP-5: the last Files paragraph that matches the file wins.
  const match = paras
    .filter((p) => p.has('files'))
    .filter((p) => (p.get('files') ?? '').split(/\s+/).some((g) => g !== '' && globToRegExp(g).test(filePath)))
    .pop();
  const holders = (match?.get('copyright') ?? '')
    .split('\n')
    .map(holderName)
    .filter((h) => h !== '');
  const licenseLine = (match?.get('license') ?? '').split('\n')[0]?.trim() ?? '';
  return {
    packageName,
    licensor: holders.length > 0 ? holders.join('; ') : null,
    license: licenseLine === '' ? null : licenseFromTag(licenseLine),
    sourceUrl: header.get('source')?.trim() || null,
  };
}

function fromProse(text: string, packageName: string): PackageLicense {
  // "Upstream Author(s):" with or without the colon (fretsonfire-songs-* leave it out).
  const upstream = /Upstream\s+Authors?:?[ \t]*([^\n]*)\n?(?:[ \t]+([^\n]+))?/i.exec(text);
  const author = (upstream?.[1] ?? '').trim() || (upstream?.[2] ?? '').trim();
  // A "Copyright (C) ..." line, else a "(C)/© <year> holder" phrase inside a sentence ("Nexuiz is
  // © 2002 - 2009 Alientrap, ...").
  const copyrightLine =
    /^\s*Copyright\s*(?:\(C\)|©)[^\n]*/im.exec(text)?.[0] ?? /(?:\(C\)|©)\s*\d{4}[^\n]*/i.exec(text)?.[0];
  const licensor = author ? holderName(author) : copyrightLine ? holderName(copyrightLine) : '';
  const url = /downloaded\s+from\s+<?(\S+?)>?[.,]?\s/i.exec(text)?.[1] ?? null;
  return { packageName, licensor: licensor || null, license: licenseFromProse(text), sourceUrl: url };
}

/** Parses a copyright file: DEP-5 (machine-readable) when it declares a Format, prose otherwise. */
export function parseDebianCopyright(text: string, packageName: string, filePath: string): PackageLicense {
  return /^Format:\s*\S+/m.test(text.split(/\n\s*\n/)[0] ?? '')
    ? fromMachineReadable(text, packageName, filePath)
    : fromProse(text, packageName);
}

export function readPackageLicense(packageName: string, filePath: string, docRoot?: string): PackageLicense {
  const file = copyrightPath(packageName, docRoot);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`no copyright file for package ${packageName} at ${file} (is it installed?)`);
  }
  return parseDebianCopyright(text, packageName, filePath);
}
