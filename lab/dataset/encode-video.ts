import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mediaBinaries, type MediaBinaries } from '../../src/media/ffmpeg-binary';

export interface EncodeOptions {
  outFile: string;
  width: number;
  height: number;
  fps: number;
  /** Muxed as the video's audio track (AAC) when given. */
  audioFile?: string;
  durationSec: number;
  timeoutMs?: number;
}

export type FrameSink = (rgb24: Buffer) => Promise<void>;

// Bit-exact flags and no metadata: the same frames and audio give the same bytes on every run.
function ffmpegArgs(o: EncodeOptions): string[] {
  return [
    '-nostdin',
    '-hide_banner',
    '-v',
    'error',
    '-y',
    '-threads',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${o.width}x${o.height}`,
    '-r',
    String(o.fps),
    '-i',
    'pipe:0',
    ...(o.audioFile ? ['-i', `file:${o.audioFile}`] : []),
    '-map',
    '0:v',
    ...(o.audioFile ? ['-map', '1:a'] : []),
    '-t',
    o.durationSec.toFixed(3),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '22',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(2 * o.fps),
    ...(o.audioFile ? ['-c:a', 'aac', '-b:a', '64k', '-ac', '1'] : []),
    '-map_metadata',
    '-1',
    '-fflags',
    '+bitexact',
    '-flags:v',
    '+bitexact',
    '-flags:a',
    '+bitexact',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    `file:${o.outFile}`,
  ];
}

/**
 * Encodes raw RGB frames produced by `produce` into H.264 MP4, feeding ffmpeg's stdin with
 * backpressure so that only a few frames are ever buffered.
 */
export async function encodeVideo(
  o: EncodeOptions,
  produce: (sink: FrameSink) => Promise<void>,
  binaries: MediaBinaries = mediaBinaries(),
): Promise<void> {
  const child = spawn(binaries.ffmpeg, ffmpegArgs(o), { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString('utf8');
  });
  const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 300_000);
  // A write after ffmpeg died raises EPIPE here; the exit status below says why.
  child.stdin.on('error', () => undefined);
  const frameBytes = o.width * o.height * 3;
  try {
    await produce(async (rgb24) => {
      if (rgb24.length !== frameBytes) throw new RangeError(`frame of ${rgb24.length} bytes, expected ${frameBytes}`);
      if (child.exitCode !== null || child.stdin.destroyed) return;
      if (!child.stdin.write(rgb24)) await Promise.race([once(child.stdin, 'drain'), closed]);
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    child.stdin.end();
  }
  const [code, signal] = await closed;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`ffmpeg could not encode ${o.outFile} (${code ?? signal}): ${stderr.trim()}`);
}
