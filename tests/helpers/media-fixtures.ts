import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOnPath, resolveMediaBinaries } from '../../src/media/ffmpeg-binary';

/** Media files generated at test time with ffmpeg's lavfi sources (nothing binary is committed). */
export class MediaFixtures {
  constructor(readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-test-'))) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private readonly ffmpeg = resolveMediaBinaries().ffmpeg;

  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Runs ffmpeg with `args` and the output path last; returns the path. */
  generate(name: string, args: string[]): string {
    const out = this.file(name);
    execFileSync(this.ffmpeg, ['-nostdin', '-v', 'error', '-y', ...args, out], { stdio: 'pipe' });
    return out;
  }

  /** Colour bars with a moving pattern (so frames differ over time) and an optional 440 Hz tone. */
  video(name: string, seconds: number, opts: { size?: string; audio?: boolean; faststart?: boolean } = {}): string {
    return this.generate(name, [
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${opts.size ?? '640x360'}:rate=25:duration=${seconds}`,
      ...(opts.audio === false ? [] : ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`]),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      ...(opts.audio === false ? [] : ['-c:a', 'aac', '-shortest']),
      ...(opts.faststart ? ['-movflags', '+faststart'] : []),
    ]);
  }

  /** Digital silence, 16 kHz mono WAV: probes as audio, decodes, and is refused as silent. */
  silentWav(name: string, seconds: number): string {
    return this.generate(name, [
      '-f',
      'lavfi',
      '-i',
      'anullsrc=sample_rate=16000:channel_layout=mono',
      '-t',
      String(seconds),
    ]);
  }

  /** The first half of `source`'s bytes, as a failed or interrupted upload leaves it. */
  truncatedCopy(source: string, name: string): string {
    const bytes = fs.readFileSync(source);
    const out = this.file(name);
    fs.writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length / 2)));
    return out;
  }

  /** A WAV header announcing 16 kHz mono PCM with no samples. */
  emptyWav(name: string): string {
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'latin1');
    header.writeUInt32LE(36, 4);
    header.write('WAVEfmt ', 8, 'latin1');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(16000, 24);
    header.writeUInt32LE(32000, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'latin1');
    header.writeUInt32LE(0, 40);
    const out = this.file(name);
    fs.writeFileSync(out, header);
    return out;
  }

  /** Deterministic pseudo-random bytes (xorshift32), not a media file. */
  randomBytes(name: string, length: number): string {
    const buf = Buffer.alloc(length);
    let x = 0x9e3779b9;
    for (let i = 0; i < length; i++) {
      x = (x ^ (x << 13)) >>> 0;
      x = (x ^ (x >>> 17)) >>> 0;
      x = (x ^ (x << 5)) >>> 0;
      buf[i] = x & 0xff;
    }
    const out = this.file(name);
    fs.writeFileSync(out, buf);
    return out;
  }

  /** Spoken English from espeak-ng, or undefined where espeak-ng is not installed. */
  speech(name: string, text: string): string | undefined {
    const espeak = findOnPath('espeak-ng', process.env.PATH);
    if (!espeak) return undefined;
    const out = this.file(name);
    execFileSync(espeak, ['-w', out, text], { stdio: 'pipe' });
    return out;
  }

  /** What ffmpeg says of these inputs at log level info, with no output named (it then exits non-zero). */
  inputInfo(...files: string[]): string {
    try {
      execFileSync(this.ffmpeg, ['-nostdin', '-hide_banner', ...files.flatMap((f) => ['-i', `file:${f}`])], {
        stdio: 'pipe',
      });
    } catch (err) {
      return String((err as { stderr?: Buffer }).stderr);
    }
    throw new Error('ffmpeg without an output should fail');
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A DASH manifest whose BaseURL names `target` (any path on the reader's disk): the escape ffmpeg's dash demuxer allowed. */
export function dashManifestXml(target: string, durationSec = 5): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT${durationSec}S" minBufferTime="PT1S"
     profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
  <Period>
    <AdaptationSet mimeType="audio/mp4">
      <Representation id="a" bandwidth="64000" codecs="mp4a.40.2" audioSamplingRate="44100">
        <BaseURL>${target}</BaseURL>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;
}
