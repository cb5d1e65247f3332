import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Node cannot load TypeScript by itself; this preamble compiles each required .ts file with the
 * same @swc/core settings jest uses, so a test can run project code in a process of its own
 * (to observe what would crash a real server, which jest's own handlers would otherwise catch).
 */
const PREAMBLE = `
const swc = require(${JSON.stringify(require.resolve('@swc/core'))});
const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
};
require.extensions['.ts'] = (module, filename) => {
  module._compile(swc.transformFileSync(filename, options).code, filename);
};
`;

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` (a .ts file) in a fresh Node process with `args`; resolves when it exits. */
export function runTsChild(script: string, args: string[], timeoutMs = 30_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-e', `${PREAMBLE}\nrequire(${JSON.stringify(path.resolve(script))});`, ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        // jest's own flags (--experimental-vm-modules ...) are not the child's business.
        env: { ...process.env, NODE_OPTIONS: '' },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
