/** 16-bit PCM mono WAV, the only kind the generator reads (espeak-ng) and writes (voice-overs). */

// Bound once: inside a vm context (jest) every read of the global `Math` is intercepted.
const { max, min, round } = Math;

export interface MonoPcm {
  sampleRate: number;
  samples: Float32Array;
}

/**
 * Reads 16-bit PCM WAV (first channel). espeak-ng writing to a pipe cannot seek back, so its data
 * chunk declares ~2 GiB; the length is taken from what is actually there.
 */
export function readWav(buf: Buffer): MonoPcm {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let sampleRate = 0;
  let channels = 0;
  let bits = 0;
  for (let at = 12; at + 8 <= buf.length;) {
    const id = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (buf.readUInt16LE(body) !== 1) throw new Error('only PCM WAV is supported');
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (bits !== 16 || channels < 1) throw new Error(`unsupported WAV: ${bits}-bit, ${channels} channel(s)`);
      const end = Math.min(buf.length, body + size);
      const frames = Math.floor((end - body) / (2 * channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(body + i * 2 * channels) / 32768;
      return { sampleRate, samples };
    }
    at = body + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

export function encodeWav(pcm: MonoPcm): Buffer {
  const n = pcm.samples.length;
  const out = Buffer.alloc(44 + 2 * n);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + 2 * n, 4);
  out.write('WAVEfmt ', 8, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(pcm.sampleRate, 24);
  out.writeUInt32LE(pcm.sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) {
    const v = max(-1, min(1, pcm.samples[i] ?? 0));
    out.writeInt16LE(round(v * 32767), 44 + 2 * i);
  }
  return out;
}
