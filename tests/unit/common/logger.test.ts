import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../src/common/logger';

describe('createLogger', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logger-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // A line is on the descriptor when the call returns: the shutdown log keeps its order up to
  // process.exit (an asynchronous stream wrote a pending line after the ones flushed at exit).
  it('writes each line before the call returns, in call order', () => {
    const file = path.join(dir, 'log.jsonl');
    const fd = fs.openSync(file, 'w');
    try {
      const logger = createLogger('info', { role: 'worker' }, fd);
      const messages = ['queue closed', 'database closed', 'stopped'];
      for (const [i, msg] of messages.entries()) {
        logger.info(msg);
        const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
        expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(messages.slice(0, i + 1));
      }
    } finally {
      fs.closeSync(fd);
    }
  });

  it('redacts tokens and keeps the service and role on every line', () => {
    const file = path.join(dir, 'log.jsonl');
    const fd = fs.openSync(file, 'w');
    try {
      createLogger('info', { role: 'api' }, fd).info({ auth: { token: 'secret-value' } }, 'signed in');
      const line = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(line).toMatchObject({
        service: 'bgm-backend',
        role: 'api',
        msg: 'signed in',
        auth: { token: '[redacted]' },
      });
    } finally {
      fs.closeSync(fd);
    }
  });
});
