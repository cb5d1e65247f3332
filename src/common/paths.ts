import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The repository (or image) root: the nearest ancestor holding prisma/schema.prisma. Code runs
 * both from src/ (tests) and from dist/src/ (built), so a fixed relative path would be wrong in one.
 */
export function projectRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'prisma', 'schema.prisma'))) return (cached = dir);
    if (path.dirname(dir) === dir) throw new Error(`No project root above ${__dirname}`);
  }
}
