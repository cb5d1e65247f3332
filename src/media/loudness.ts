import { assertDecoded } from './decode-failure';
import { readWithFallback } from './decoder-fallback';
import { mediaBinaries, type MediaBinaries } from './ffmpeg-binary';
import { forcedFormatArgs, SAFE_INPUT_ARGS, safeInput } from './ffmpeg-input';
import { MediaError, MediaErrorCode } from './media-error';
import { runProcess } from './run-process';

export interface Loudness {
  /** EBU R128 / ITU-R BS.1770 integrated (gated) loudness of the whole stream, in LUFS. */
  integratedLufs: number;
  /** Highest 4x-oversampled sample peak over all channels, in dBTP (BS.1770 annex 2). */
  truePeakDbtp: number;
  /** EBU Tech 3342 loudness range, in LU. */
  loudnessRangeLu: number;
}

export interface LoudnessOptions {
  format?: string;
  streamIndex?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The gate's floor: ffmpeg reports -70 LUFS (the absolute gate) when no block passed it, which
 * means "no programme" rather than a level.
 */
const ABSOLUTE_GATE_LUFS = -70;

/**
 * Measures loudness with ffmpeg's ebur128 filter on the original file (its own rate and
 * channels: true peak needs the full band, and the 16 kHz mono decode would change the level).
 */
export async function measureLoudness(
  filePath: string,
  options: LoudnessOptions = {},
  binaries: MediaBinaries = mediaBinaries(),
): Promise<Loudness> {
  const input = safeInput(filePath);
  const args = [
    '-nostdin',
    '-hide_banner',
    '-nostats',
    // The summary is logged at "info"; framelog=verbose keeps the 10 Hz per-frame lines out of it.
    '-v',
    'info',
    ...SAFE_INPUT_ARGS,
    ...forcedFormatArgs(options.format),
    '-i',
    input,
    '-map',
    options.streamIndex === undefined ? '0:a:0' : `0:${options.streamIndex}`,
    '-vn',
    '-sn',
    '-dn',
    '-af',
    'ebur128=peak=true:framelog=verbose',
    '-f',
    'null',
    '-',
  ];
  const measure = async (b: MediaBinaries): Promise<Loudness> => {
    const result = await runProcess(b.ffmpeg, args, {
      timeoutMs: options.timeoutMs ?? 120_000,
      maxStdoutBytes: 0,
      maxStderrBytes: 64 * 1024,
      signal: options.signal,
    });
    assertDecoded(result, input, 'audio');
    return parseEbur128Summary(result.stderr);
  };
  return (await readWithFallback(filePath, binaries, 'loudness', measure)).result;
}

const SUMMARY = /Summary:([\s\S]*)$/;
const INTEGRATED = /Integrated loudness:\s*I:\s*(-?[\d.]+|-inf|nan)\s*LUFS/;
const RANGE = /Loudness range:\s*LRA:\s*(-?[\d.]+|-inf|nan)\s*LU/;
const TRUE_PEAK = /True peak:\s*Peak:\s*(-?[\d.]+|-inf|nan)\s*dBFS/;

/** Reads the "Summary:" block ebur128 logs when its input ends. */
export function parseEbur128Summary(stderr: string): Loudness {
  const summary = SUMMARY.exec(stderr)?.[1];
  const integrated = summary && INTEGRATED.exec(summary)?.[1];
  const peak = summary && TRUE_PEAK.exec(summary)?.[1];
  const range = summary && RANGE.exec(summary)?.[1];
  if (!integrated || !peak || !range) {
    throw new MediaError(MediaErrorCode.DecodeFailed, 'loudness measurement gave no summary');
  }
  const integratedLufs = Number(integrated);
  const truePeakDbtp = Number(peak);
  if (!Number.isFinite(integratedLufs) || integratedLufs <= ABSOLUTE_GATE_LUFS || !Number.isFinite(truePeakDbtp)) {
    throw new MediaError(
      MediaErrorCode.SilentAudio,
      `the audio is too quiet to measure its loudness (integrated ${integrated} LUFS, peak ${peak} dBTP)`,
    );
  }
  return { integratedLufs, truePeakDbtp, loudnessRangeLu: Number(range) || 0 };
}
