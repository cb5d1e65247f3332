import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { MediaError, MediaErrorCode } from './media-error';

export interface RunOptions {
  timeoutMs: number;
  /** Output beyond this is a fault (the caller computed what it expects); the process is killed. */
  maxStdoutBytes: number;
  /**
   * Also read file descriptor 3 (ffmpeg's `pipe:3`, a second output), bounded like stdout; the
   * result's `fd3` holds it.
   */
  maxFd3Bytes?: number;
  /** Stderr kept: the first and the last half of this many bytes. */
  maxStderrBytes?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** What the process wrote to fd 3, when RunOptions.maxFd3Bytes asked for it. */
  fd3?: Buffer;
  stderr: string;
}

/** Collects one output pipe up to a bound; past it, the run is a fault. */
function boundedOutput(limit: number, fault: () => void) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  return {
    push(chunk: Buffer): void {
      bytes += chunk.length;
      if (bytes > limit) fault();
      else chunks.push(chunk);
    },
    buffer: () => Buffer.concat(chunks),
  };
}

/** Keeps the start (the first error is usually the reason) and the end (truncation notices). */
class HeadTailBuffer {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;

  constructor(private readonly half: number) {}

  push(chunk: Buffer): void {
    if (this.headBytes < this.half) {
      const take = chunk.subarray(0, this.half - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes > this.half) {
      const first = this.tail[0];
      if (!first) break;
      const excess = this.tailBytes - this.half;
      if (first.length <= excess) this.tail.shift();
      else this.tail[0] = Buffer.from(first.subarray(excess));
      const removed = Math.min(first.length, excess);
      this.tailBytes -= removed;
      this.dropped += removed;
    }
  }

  toString(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return this.dropped > 0 ? `${head}\n[... ${this.dropped} bytes omitted ...]\n${tail}` : head + tail;
  }
}

/** Runs a binary without a shell, with a wall-clock limit and bounded captured output. */
export function runProcess(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const fd3Limit = options.maxFd3Bytes;
    const child = spawn(file, args, {
      stdio: fd3Limit === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', 'pipe'],
      signal: options.signal,
      killSignal: 'SIGKILL',
    });
    const stderr = new HeadTailBuffer(Math.max(1, Math.floor((options.maxStderrBytes ?? 16_384) / 2)));
    let failure: Error | undefined;

    const fail = (error: Error) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () =>
        fail(
          new MediaError(MediaErrorCode.Timeout, `${nameOf(file)} did not finish within ${options.timeoutMs} ms`, {
            timeoutMs: options.timeoutMs,
          }),
        ),
      options.timeoutMs,
    );

    const tooMuch = (limit: number) => () =>
      fail(
        new MediaError(MediaErrorCode.DecodeFailed, `${nameOf(file)} produced more than the expected ${limit} bytes`),
      );
    const stdout = boundedOutput(options.maxStdoutBytes, tooMuch(options.maxStdoutBytes));
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    const fd3 = fd3Limit === undefined ? undefined : boundedOutput(fd3Limit, tooMuch(fd3Limit));
    if (fd3) (child.stdio[3] as Readable).on('data', (chunk: Buffer) => fd3.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(failure ?? error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (failure) {
        reject(failure);
        return;
      }
      resolve({ exitCode, signal, stdout: stdout.buffer(), fd3: fd3?.buffer(), stderr: stderr.toString() });
    });
  });
}

function nameOf(file: string): string {
  return file.split('/').pop() ?? file;
}
