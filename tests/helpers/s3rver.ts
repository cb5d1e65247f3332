import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const BIN = path.resolve(__dirname, '../../node_modules/s3rver/bin/s3rver.js');
/** s3rver's fixed credentials: it checks signatures made with these. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * A real S3-protocol server (s3rver, from the npm registry) in its own process on a free port,
 * its data in a temporary folder: the code under test talks to it with the real AWS SDK over
 * HTTP. Started by the tests themselves, so CI needs no system service. stop() / start() again
 * keep the port and the data, which the outage tests use to make the store unreachable.
 */
export class S3rverProcess {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgm-s3rver-'));
  private child?: ChildProcess;
  port = 0;

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      [BIN, '-d', this.dir, '-a', '127.0.0.1', '-p', String(this.port), '--no-vhost-buckets', '--silent'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let output = '';
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${output}`)), 15_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        const m = /listening on [^:]+:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited (${code}): ${output}`));
      });
    });
    child.removeAllListeners('exit');
  }

  /** Kills the server; the port stays reserved for start() in this object (not in the OS). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  createBucket(bucket: string): Promise<void> {
    return createBucket(this.endpoint, bucket);
  }

  /** A plain SDK client on this server (for tests that look at the bucket directly). */
  client(): S3Client {
    return s3rverClient(this.endpoint);
  }

  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function s3rverClient(endpoint: string): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

export async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const client = s3rverClient(endpoint);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}
