import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { holderName, type PackageLicense } from './debian-copyright';
import { licenseFromTag, moreSpecific } from './license-names';

/** What the dataset records for every track; a track without all of it is not used. */
export interface TrackLicense {
  title: string;
  artist: string;
  licensor: string;
  license: string;
  licenseUrl: string | null;
  attribution: string;
  /** Where the facts came from: "license-map", "debian:<package> + tags", ... */
  source: string;
}

const text = (max: number) => z.string().trim().min(1).max(max);
const entrySchema = z.object({
  licensor: text(500),
  license: text(100),
  licenseUrl: text(500).optional(),
  title: text(300).optional(),
  artist: text(300).optional(),
  attribution: text(2000).optional(),
});
const licenseMapSchema = z.object({
  default: entrySchema.optional(),
  tracks: z.record(z.string(), entrySchema).optional(),
});

/** Sidecar mapping: `{"default": {...}, "tracks": {"relative/file.ogg": {...}}}`. */
export type LicenseMap = z.infer<typeof licenseMapSchema>;

export function readLicenseMap(file: string): LicenseMap {
  const parsed = licenseMapSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export interface LicenseSources {
  /** Path relative to the music folder, "/"-separated (the sidecar's key). */
  relativePath: string;
  tags: Record<string, string>;
  licenseMap?: LicenseMap;
  packageLicense?: PackageLicense;
}

function attributionText(title: string, artist: string, license: string, url: string | null, origin: string): string {
  return `"${title}" by ${artist}, licensed under ${license}${url ? ` (${url})` : ''}. ${origin}`;
}

/**
 * The license of one track: a sidecar entry wins (the user said so); otherwise the file's own
 * tags (per track) refine the package's copyright file (per package).
 */
export function resolveTrackLicense(s: LicenseSources): TrackLicense | null {
  const fileTitle = path.posix.basename(s.relativePath).replace(/\.[^.]+$/, '');
  const title = s.tags.title ?? fileTitle;
  const entry = s.licenseMap?.tracks?.[s.relativePath] ?? s.licenseMap?.default;
  if (entry) {
    const entryTitle = entry.title ?? title;
    const artist = entry.artist ?? s.tags.artist ?? entry.licensor;
    return {
      title: entryTitle,
      artist,
      licensor: entry.licensor,
      license: entry.license,
      licenseUrl: entry.licenseUrl ?? null,
      attribution:
        entry.attribution ?? attributionText(entryTitle, artist, entry.license, entry.licenseUrl ?? null, ''),
      source: 'license-map',
    };
  }
  const pkg = s.packageLicense;
  const fromTag = s.tags.license ? licenseFromTag(s.tags.license) : null;
  const license = moreSpecific(fromTag, pkg?.license ?? null);
  const tagHolder = s.tags.copyright ? holderName(s.tags.copyright) : '';
  const licensor = tagHolder || pkg?.licensor || s.tags.artist || s.tags.composer || '';
  if (!license || licensor === '') return null;
  const artist = s.tags.artist ?? s.tags.composer ?? licensor;
  const origin = pkg
    ? `From the Debian package ${pkg.packageName}${pkg.sourceUrl ? ` (upstream: ${pkg.sourceUrl})` : ''}.`
    : '';
  const sources = [pkg ? `debian:${pkg.packageName}` : '', Object.keys(s.tags).length > 0 ? 'tags' : ''];
  return {
    title,
    artist,
    licensor,
    license: license.name,
    licenseUrl: license.url ?? null,
    attribution: attributionText(title, artist, license.name, license.url ?? null, origin).trim(),
    source: sources.filter((x) => x !== '').join(' + '),
  };
}
