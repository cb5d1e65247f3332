import fs from 'node:fs';
import path from 'node:path';

/** Real, freely licensed music from Debian packages (installed by .ci/install-system.sh). */
export const DEBIAN_MUSIC_DIRS = [
  '/usr/share/games/wesnoth/1.16/data/core/music',
  '/usr/share/games/singularity/music',
];

export function debianMusicFiles(): string[] {
  return DEBIAN_MUSIC_DIRS.filter((d) => fs.existsSync(d)).flatMap((d) =>
    fs
      .readdirSync(d)
      .filter((f) => f.endsWith('.ogg'))
      .sort()
      .map((f) => path.join(d, f)),
  );
}

/** Copies the first `n` Debian music files into `dir`; throws when fewer are installed. */
export function copyDebianMusic(dir: string, n: number): string[] {
  const files = debianMusicFiles();
  if (files.length < n)
    throw new Error(`need ${n} Debian music files, found ${files.length}: apt-get install wesnoth-1.16-music`);
  fs.mkdirSync(dir, { recursive: true });
  return files.slice(0, n).map((src, i) => {
    const name = `music-${String(i).padStart(2, '0')}.ogg`;
    fs.copyFileSync(src, path.join(dir, name));
    return name;
  });
}
