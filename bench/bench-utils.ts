import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../src/common/paths';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const v = await fn();
  return [v, Number(process.hrtime.bigint() - t0) / 1e6];
}

/** The model to benchmark: --model DIR, else the bundled one, else a fresh untrained export. */
export function benchModelDir(given?: string): string {
  if (given) return path.resolve(given);
  const bundled = path.join(projectRoot(), 'models', 'default');
  if (fs.existsSync(path.join(bundled, 'manifest.json'))) return bundled;
  const out = path.join(os.tmpdir(), 'bgm-bench-model');
  execFileSync('/usr/bin/python3', ['-m', 'training.mrcmv.export', '--out', out, '--seed', '1'], {
    cwd: projectRoot(),
    stdio: 'pipe',
  });
  return out;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}
