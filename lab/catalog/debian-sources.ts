import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { AUDIO_EXTENSIONS } from '../dataset/music-library';

const run = promisify(execFile);

/**
 * The Debian packages of free music the lab trains and tests on (about 11 hours). Each is read
 * from what the package installed (`dpkg -L`), so a package is either fully there or absent.
 */
export const DEBIAN_MUSIC_PACKAGES = [
  'warzone2100-music',
  'wesnoth-1.16-music',
  'planetblupi-music-ogg',
  'nexuiz-music',
  'singularity-music',
  'drascula-music',
  'asc-music',
  'fretsonfire-songs-sectoid',
  'fretsonfire-songs-muldjord',
] as const;

/** One piece of music a package provides, before it is checked. */
export type SourceEntry =
  /** A plain audio file installed by the package. */
  | { kind: 'file'; packageName: string; absPath: string }
  /** An audio file inside a zip archive (nexuiz ships its music in a .pk3). */
  | { kind: 'zipped'; packageName: string; archive: string; member: string }
  /**
   * A song split into stems (Frets on Fire: song.ogg is the backing track, guitar.ogg and
   * rhythm.ogg the parts the player plays); the catalog holds their mix, the song as released.
   */
  | { kind: 'stems'; packageName: string; songDir: string; stems: string[] };

const isAudio = (file: string) => AUDIO_EXTENSIONS.has(path.extname(file).toLowerCase());

export async function packageFiles(packageName: string): Promise<string[]> {
  try {
    const { stdout } = await run('dpkg', ['-L', packageName], { maxBuffer: 16 * 1024 * 1024 });
    return stdout.split('\n').filter((line) => line.startsWith('/'));
  } catch {
    throw new Error(`package ${packageName} is not installed (apt-get install ${packageName})`);
  }
}

async function zipMembers(archive: string): Promise<string[]> {
  const { stdout } = await run('unzip', ['-Z1', archive], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.split('\n').filter((m) => m !== '' && isAudio(m));
}

/** What one installed package offers, in a stable order. */
export async function packageSources(packageName: string): Promise<SourceEntry[]> {
  const files = (await packageFiles(packageName)).sort();
  const out: SourceEntry[] = [];
  const songDirs = new Map<string, string[]>();
  for (const file of files) {
    if (file.startsWith('/usr/share/doc/')) continue;
    if (file.toLowerCase().endsWith('.pk3')) {
      for (const member of await zipMembers(file)) out.push({ kind: 'zipped', packageName, archive: file, member });
    } else if (isAudio(file)) {
      if (packageName.startsWith('fretsonfire-songs-')) {
        const dir = path.dirname(file);
        songDirs.set(dir, [...(songDirs.get(dir) ?? []), file]);
      } else {
        out.push({ kind: 'file', packageName, absPath: file });
      }
    }
  }
  for (const [songDir, stems] of songDirs) out.push({ kind: 'stems', packageName, songDir, stems: stems.sort() });
  return out;
}

/** The folder all of a package's pieces are under (installed paths only; zip members keep theirs). */
export function commonInstallDir(entries: readonly SourceEntry[]): string {
  const dirs = entries.flatMap((e) =>
    e.kind === 'file' ? [path.dirname(e.absPath)] : e.kind === 'stems' ? [path.dirname(e.songDir)] : [],
  );
  if (dirs.length === 0) return '/';
  let common = dirs[0]!.split('/');
  for (const dir of dirs.slice(1)) {
    const parts = dir.split('/');
    let n = 0;
    while (n < common.length && n < parts.length && common[n] === parts[n]) n++;
    common = common.slice(0, n);
  }
  return common.join('/') || '/';
}

/**
 * Where an entry goes in the catalog folder: `<package>/<path below the package's common install
 * folder>` (e.g. `warzone2100-music/albums/original_soundtrack/track1.opus`), so names stay short
 * and two albums' `track1` stay apart.
 */
export function catalogPath(entry: SourceEntry, installDir: string): string {
  const below = (p: string) => path.posix.relative(installDir, p);
  switch (entry.kind) {
    case 'file':
      return path.posix.join(entry.packageName, below(entry.absPath));
    case 'zipped':
      return path.posix.join(entry.packageName, entry.member);
    case 'stems':
      return path.posix.join(entry.packageName, `${below(entry.songDir)}.ogg`);
  }
}
