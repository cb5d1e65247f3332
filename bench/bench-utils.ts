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

let clockTicks: number | undefined;

/**
 * CPU seconds (user + system) a process and its descendants have used so far, from /proc (Linux).
 * A cost per request that the machine's other load changes far less than throughput or latency.
 */
export function processTreeCpuSeconds(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  let ticks = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const p = pending.pop()!;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    } catch {
      continue; // exited in between
    }
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    for (const task of fs.readdirSync(`/proc/${p}/task`, { withFileTypes: true })) {
      const children = fs.readFileSync(`/proc/${p}/task/${task.name}/children`, 'utf8').trim();
      if (children) pending.push(...children.split(' ').map(Number));
    }
  }
  return ticks / clockTicks;
}
