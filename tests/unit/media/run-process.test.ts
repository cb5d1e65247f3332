import { MediaError, MediaErrorCode } from '../../../src/media/media-error';
import { runProcess } from '../../../src/media/run-process';

const node = (script: string) => [process.execPath, ['-e', script]] as const;
const OPTS = { timeoutMs: 10_000, maxStdoutBytes: 1_000_000 };

describe('runProcess', () => {
  it('returns the exit code, stdout bytes and stderr text', async () => {
    const [bin, args] = node(
      "process.stdout.write(Buffer.from([1,2,3])); process.stderr.write('warn'); process.exit(3)",
    );
    const result = await runProcess(bin, args, OPTS);
    expect(result.exitCode).toBe(3);
    expect([...result.stdout]).toEqual([1, 2, 3]);
    expect(result.stderr).toBe('warn');
  });

  it('keeps the first and last part of a long stderr', async () => {
    const [bin, args] = node("for (let i = 1; i <= 5000; i++) process.stderr.write('line' + i + '\\n')");
    const { stderr } = await runProcess(bin, args, { ...OPTS, maxStderrBytes: 200 });
    expect(stderr).toMatch(/^line1\n/);
    expect(stderr).toMatch(/line5000\n$/);
    expect(stderr).toMatch(/bytes omitted/);
    expect(stderr.length).toBeLessThan(300);
  });

  it('kills a process that writes more than allowed', async () => {
    const [bin, args] = node('setInterval(() => process.stdout.write(Buffer.alloc(65536)), 1)');
    const error = await runProcess(bin, args, { ...OPTS, maxStdoutBytes: 100_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toBe(MediaErrorCode.DecodeFailed);
  });

  it('reads a second output on fd 3 when asked, bounded like stdout', async () => {
    const [bin, args] = node("require('fs').writeSync(3, Buffer.from([7, 8])); process.stdout.write(Buffer.from([1]))");
    const result = await runProcess(bin, args, { ...OPTS, maxFd3Bytes: 10 });
    expect([...result.stdout]).toEqual([1]);
    expect([...result.fd3!]).toEqual([7, 8]);
    expect((await runProcess(bin, args, OPTS)).fd3).toBeUndefined();
    const [flood, floodArgs] = node("setInterval(() => require('fs').writeSync(3, Buffer.alloc(65536)), 1)");
    const error = await runProcess(flood, floodArgs, { ...OPTS, maxFd3Bytes: 100_000 }).catch((e: unknown) => e);
    expect((error as MediaError).code).toBe(MediaErrorCode.DecodeFailed);
  });

  it('kills a process that runs past its time limit', async () => {
    const [bin, args] = node('setTimeout(() => {}, 30000)');
    const started = Date.now();
    const error = await runProcess(bin, args, { ...OPTS, timeoutMs: 100 }).catch((e: unknown) => e);
    expect((error as MediaError).code).toBe(MediaErrorCode.Timeout);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails with the spawn error when the binary does not exist', async () => {
    await expect(runProcess('/nonexistent/ffmpeg', [], OPTS)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
