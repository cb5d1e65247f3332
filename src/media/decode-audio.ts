import { mediaBinaries, type MediaBinaries } from './ffmpeg-binary';
import { assertDecoded, assertNotCutShort } from './decode-failure';
import { readWithFallback } from './decoder-fallback';
import { forcedFormatArgs, SAFE_INPUT_ARGS, safeInput } from './ffmpeg-input';
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

function audioArgs(input: string, o: DecodeAudioOptions, maxSeconds: number): string[] {
  const start = o.startSeconds ?? 0;
  return [
    '-nostdin',
    '-hide_banner',
    '-v',
    'warning',
    ...SAFE_INPUT_ARGS,
    ...forcedFormatArgs(o.format),
    ...(start > 0 ? ['-ss', start.toFixed(3)] : []),
    '-i',
    input,
    '-map',
    o.streamIndex === undefined ? '0:a:0' : `0:${o.streamIndex}`,
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
    'pipe:1',
  ];
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
  const maxSeconds = options.maxDurationSeconds ?? DEFAULT_MAX_AUDIO_SECONDS;
  if (!(maxSeconds > 0) || (options.startSeconds ?? 0) < 0) {
    throw new RangeError('decodeAudio: maxDurationSeconds must be > 0 and startSeconds >= 0');
  }
  const input = safeInput(filePath);
  const args = audioArgs(input, options, maxSeconds);
  const decode = async (b: MediaBinaries): Promise<Buffer> => {
    const result = await runProcess(b.ffmpeg, args, {
      timeoutMs: options.timeoutMs ?? 60_000,
      // A resampler may emit a few samples past -t; the margin keeps that from reading as a fault.
      maxStdoutBytes: Math.ceil((maxSeconds + 1) * DECODE_SAMPLE_RATE) * 4,
      signal: options.signal,
    });
    assertDecoded(result, input, 'audio');
    return result.stdout;
  };

  // A catalog admin's valid file must not be lost to one build's bug: see decoder-fallback.ts.
  const { result: stdout, readBy: decodedBy } = await readWithFallback(filePath, binaries, 'audio decode', decode);

  const pcm = bufferToFloat32(stdout);
  if (pcm.length === 0) {
    throw new MediaError(MediaErrorCode.EmptyAudio, 'the audio track is empty (no samples decoded)');
  }
  const declared = options.declaredDurationSeconds;
  const declaredFromStart = declared === null || declared === undefined ? null : declared - (options.startSeconds ?? 0);
  assertNotCutShort(pcm.length / DECODE_SAMPLE_RATE, declaredFromStart, maxSeconds, 0.5);
  const level = rmsDbfs(pcm);
  const threshold = options.silenceThresholdDbfs ?? DEFAULT_SILENCE_DBFS;
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
