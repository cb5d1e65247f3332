import { mediaBinaries, type MediaBinaries } from './ffmpeg-binary';
import { assertDecoded, assertNotCutShort } from './decode-failure';
import { readWithFallback } from './decoder-fallback';
import { type DecodeCommand, forcedFormatArgs, SAFE_INPUT_ARGS, safeInput, soloDecodeArgs } from './ffmpeg-input';
import { MediaError, MediaErrorCode } from './media-error';
import { bufferToFloat32, rmsDbfs } from './pcm';
import { runProcess } from './run-process';

export const DECODE_SAMPLE_RATE = 16_000;
export const DEFAULT_MAX_AUDIO_SECONDS = 20 * 60;
export const DEFAULT_SILENCE_DBFS = -60;

export interface DecodeAudioOptions {
  /** Absolute stream index (MediaInfo.audio.index); default: the first audio stream. */
  streamIndex?: number;
  startSeconds?: number;
  /** Also bounds memory: 4 bytes x 16000 per second. */
  maxDurationSeconds?: number;
  /**
   * The stream's own duration from probeMedia (MediaInfo.audio.durationSeconds, not the
   * container's, which can be longer than its audio); far less output means a cut-off file.
   */
  declaredDurationSeconds?: number | null;
  /** Whole-signal RMS below this is rejected as silent. */
  silenceThresholdDbfs?: number;
  /** The container probeMedia found (MediaInfo.formatName): the file is read as that and nothing else. */
  format?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface DecodedAudio {
  /** Mono float32 PCM at 16 kHz, nominally in [-1, 1]. */
  pcm: Float32Array;
  sampleRate: number;
  durationSeconds: number;
  rmsDbfs: number;
  /** Which build decoded it (MediaBinaries.label): the fallback when the first could not. */
  decodedBy: string;
}

/** The audio decode as a DecodeCommand, and the audio made of its bytes (decodeAudio's checks). */
export interface AudioCommand extends DecodeCommand {
  audio: (bytes: Buffer, decodedBy: string) => DecodedAudio;
}

export function audioCommand(filePath: string, o: DecodeAudioOptions = {}): AudioCommand {
  const maxSeconds = o.maxDurationSeconds ?? DEFAULT_MAX_AUDIO_SECONDS;
  const start = o.startSeconds ?? 0;
  if (!(maxSeconds > 0) || start < 0) {
    throw new RangeError('decodeAudio: maxDurationSeconds must be > 0 and startSeconds >= 0');
  }
  const input = safeInput(filePath);
  return {
    input,
    inputArgs: [
      ...SAFE_INPUT_ARGS,
      ...forcedFormatArgs(o.format),
      ...(start > 0 ? ['-ss', start.toFixed(3)] : []),
      '-i',
      input,
    ],
    outputArgs: (n, target) => [
      '-map',
      o.streamIndex === undefined ? `${n}:a:0` : `${n}:${o.streamIndex}`,
      '-vn',
      '-sn',
      '-dn',
      '-t',
      maxSeconds.toFixed(3),
      '-ac',
      '1',
      '-ar',
      String(DECODE_SAMPLE_RATE),
      '-f',
      'f32le',
      target,
    ],
    // A resampler may emit a few samples past -t; the margin keeps that from reading as a fault.
    maxBytes: Math.ceil((maxSeconds + 1) * DECODE_SAMPLE_RATE) * 4,
    audio: (bytes, decodedBy) => checkedAudio(bufferToFloat32(bytes), o, maxSeconds, decodedBy),
  };
}

function checkedAudio(pcm: Float32Array, o: DecodeAudioOptions, maxSeconds: number, decodedBy: string): DecodedAudio {
  if (pcm.length === 0) {
    throw new MediaError(MediaErrorCode.EmptyAudio, 'the audio track is empty (no samples decoded)');
  }
  const declared = o.declaredDurationSeconds;
  const declaredFromStart = declared === null || declared === undefined ? null : declared - (o.startSeconds ?? 0);
  assertNotCutShort(pcm.length / DECODE_SAMPLE_RATE, declaredFromStart, maxSeconds, 0.5);
  const level = rmsDbfs(pcm);
  const threshold = o.silenceThresholdDbfs ?? DEFAULT_SILENCE_DBFS;
  if (level < threshold) {
    throw new MediaError(
      MediaErrorCode.SilentAudio,
      `the audio is silent (level ${Number.isFinite(level) ? level.toFixed(1) : '-inf'} dBFS, below ${threshold} dBFS)`,
      { rmsDbfs: Number.isFinite(level) ? level : null },
    );
  }
  return {
    pcm,
    sampleRate: DECODE_SAMPLE_RATE,
    durationSeconds: pcm.length / DECODE_SAMPLE_RATE,
    rmsDbfs: level,
    decodedBy,
  };
}

/**
 * Decodes one audio stream to 16 kHz mono float32 (the VGGish input rate). Rejects files whose
 * audio is missing, empty, silent, or cut short, with ffmpeg's own reason where it gave one.
 */
export async function decodeAudio(
  filePath: string,
  options: DecodeAudioOptions = {},
  binaries: MediaBinaries = mediaBinaries(),
): Promise<DecodedAudio> {
  const command = audioCommand(filePath, options);
  const args = soloDecodeArgs(command);
  const decode = async (b: MediaBinaries): Promise<Buffer> => {
    const result = await runProcess(b.ffmpeg, args, {
      timeoutMs: options.timeoutMs ?? 60_000,
      maxStdoutBytes: command.maxBytes,
      signal: options.signal,
    });
    assertDecoded(result, command.input, 'audio');
    return result.stdout;
  };

  // A catalog admin's valid file must not be lost to one build's bug: see decoder-fallback.ts.
  const { result: stdout, readBy } = await readWithFallback(filePath, binaries, 'audio decode', decode);
  return command.audio(stdout, readBy);
}
