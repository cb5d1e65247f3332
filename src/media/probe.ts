import fs from 'node:fs/promises';
import { mediaBinaries, type MediaBinaries } from './ffmpeg-binary';
import { acceptedDemuxer, refusedInput, SAFE_INPUT_ARGS, safeInput, unsupportedFormat } from './ffmpeg-input';
import { readWithFallback } from './decoder-fallback';
import { ffmpegReason, truncationNotice } from './ffmpeg-stderr';
import { parseProbeJson, parseRate, type RawProbe, type RawStream } from './ffprobe-json';
import { MediaError, MediaErrorCode } from './media-error';
import { oggIsTruncated } from './ogg-truncation';
import { runProcess } from './run-process';

export interface ProbeLimits {
  maxFileBytes: number;
  maxDurationSeconds: number;
  minDurationSeconds?: number;
  requireAudio?: boolean;
  requireVideo?: boolean;
  timeoutMs?: number;
}

export interface AudioStreamInfo {
  index: number;
  codec: string;
  sampleRate: number | null;
  channels: number | null;
  durationSeconds: number | null;
}

export interface VideoStreamInfo {
  index: number;
  codec: string;
  width: number;
  height: number;
  fps: number | null;
  durationSeconds: number | null;
}

export interface MediaInfo {
  sizeBytes: number;
  formatName: string;
  /** Null when the container does not say (e.g. some MediaRecorder WebM); decoders still cap it. */
  durationSeconds: number | null;
  /** The stream decodeAudio reads by default (the first audio stream), or null. */
  audio: AudioStreamInfo | null;
  /** The first real video stream (cover art is not video), or null. */
  video: VideoStreamInfo | null;
  /** Which build read the file (MediaBinaries.label): the fallback when the first could not. */
  probedBy: string;
}

const PROBE_STDOUT_LIMIT = 1024 * 1024;

/** The file's size, once it is a regular, non-empty file within the bound. */
export async function statOrThrow(filePath: string, maxFileBytes: number): Promise<number> {
  let stat;
  try {
    stat = await fs.stat(filePath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new MediaError(MediaErrorCode.NotFound, `file not found: ${filePath}`);
    }
    throw e;
  }
  if (!stat.isFile()) throw new MediaError(MediaErrorCode.NotMedia, 'not a regular file');
  if (stat.size === 0) throw new MediaError(MediaErrorCode.NotMedia, 'the file is empty (0 bytes)');
  if (stat.size > maxFileBytes) {
    throw new MediaError(
      MediaErrorCode.TooLarge,
      `the file is ${stat.size} bytes, more than the limit of ${maxFileBytes} bytes`,
      { sizeBytes: stat.size, maxFileBytes },
    );
  }
  return stat.size;
}

/** ffprobe, then the fallback build when the first cannot read an Ogg file the allow-list accepts. */
async function runFfprobe(filePath: string, binaries: MediaBinaries, timeoutMs: number) {
  const { result, readBy } = await readWithFallback(filePath, binaries, 'probe', (b) =>
    ffprobeOnce(filePath, b, timeoutMs),
  );
  return { ...result, probedBy: readBy };
}

async function ffprobeOnce(filePath: string, binaries: MediaBinaries, timeoutMs: number) {
  const args = [
    '-v',
    'warning',
    '-hide_banner',
    ...SAFE_INPUT_ARGS,
    '-print_format',
    'json',
    '-show_entries',
    'format=format_name,duration:stream=index,codec_type,codec_name,width,height,avg_frame_rate,' +
      'r_frame_rate,sample_rate,channels,duration:stream_disposition=attached_pic',
    safeInput(filePath),
  ];
  const result = await runProcess(binaries.ffprobe, args, { timeoutMs, maxStdoutBytes: PROBE_STDOUT_LIMIT });
  const input = safeInput(filePath);
  if (result.exitCode !== 0) {
    const refused = refusedInput(result.stderr);
    if (refused) throw refused;
    const truncated = truncationNotice(result.stderr, input);
    if (truncated) throw new MediaError(MediaErrorCode.Truncated, `the file is incomplete: ${truncated}`);
    throw new MediaError(
      MediaErrorCode.NotMedia,
      `not a readable audio or video file: ${ffmpegReason(result.stderr, input)}`,
    );
  }
  const parsed = parseProbeJson(result.stdout.toString('utf8'));
  if (!parsed) throw new MediaError(MediaErrorCode.NotMedia, 'ffprobe returned no format information');
  return { parsed, stderr: result.stderr };
}

const orNull = (v: number | undefined): number | null => v ?? null;

function toAudio(s: RawStream): AudioStreamInfo {
  return {
    index: s.index,
    codec: s.codecName,
    sampleRate: orNull(s.sampleRate),
    channels: orNull(s.channels),
    durationSeconds: orNull(s.durationSeconds),
  };
}

function toVideo(s: RawStream): VideoStreamInfo | null {
  if (!s.width || !s.height) return null;
  return {
    index: s.index,
    codec: s.codecName,
    width: s.width,
    height: s.height,
    fps: orNull(parseRate(s.avgFrameRate) ?? parseRate(s.rFrameRate)),
    durationSeconds: orNull(s.durationSeconds),
  };
}

function describe(raw: RawProbe, sizeBytes: number, probedBy: string): MediaInfo {
  const audioStream = raw.streams.find((s) => s.codecType === 'audio');
  const videoStream = raw.streams.find((s) => s.codecType === 'video' && !s.attachedPicture);
  const streamDurations = raw.streams.flatMap((s) => (s.durationSeconds === undefined ? [] : [s.durationSeconds]));
  const duration = raw.durationSeconds ?? (streamDurations.length ? Math.max(...streamDurations) : undefined);
  return {
    sizeBytes,
    formatName: raw.formatName,
    durationSeconds: orNull(duration),
    audio: audioStream ? toAudio(audioStream) : null,
    video: videoStream ? toVideo(videoStream) : null,
    probedBy,
  };
}

/** A stated duration within the bounds (null: the container did not say, nothing to check). */
export function checkDuration(
  d: number | null,
  limits: Pick<ProbeLimits, 'maxDurationSeconds' | 'minDurationSeconds'>,
): void {
  if (d !== null && d > limits.maxDurationSeconds) {
    throw new MediaError(
      MediaErrorCode.TooLong,
      `the media lasts ${d.toFixed(1)} s, more than the limit of ${limits.maxDurationSeconds} s`,
      { durationSeconds: d, maxDurationSeconds: limits.maxDurationSeconds },
    );
  }
  if (d !== null && limits.minDurationSeconds !== undefined && d < limits.minDurationSeconds) {
    throw new MediaError(
      MediaErrorCode.TooShort,
      `the media lasts ${d.toFixed(2)} s, less than the minimum of ${limits.minDurationSeconds} s`,
      { durationSeconds: d, minDurationSeconds: limits.minDurationSeconds },
    );
  }
}

function checkBounds(info: MediaInfo, limits: ProbeLimits): void {
  checkDuration(info.durationSeconds, limits);
  if (limits.requireAudio && !info.audio) throw new MediaError(MediaErrorCode.NoAudio, 'the file has no audio track');
  if (limits.requireVideo && !info.video) throw new MediaError(MediaErrorCode.NoVideo, 'the file has no video track');
}

/**
 * Reads what a file holds and enforces the bounds before anything is decoded: size first (no
 * process is started for an oversized file), then format, truncation, duration and streams.
 */
export async function probeMedia(
  filePath: string,
  limits: ProbeLimits,
  binaries: MediaBinaries = mediaBinaries(),
): Promise<MediaInfo> {
  const sizeBytes = await statOrThrow(filePath, limits.maxFileBytes);
  const { parsed, stderr, probedBy } = await runFfprobe(filePath, binaries, limits.timeoutMs ?? 15_000);
  // ffprobe already refused any other demuxer (SAFE_INPUT_ARGS); checked again here so that a
  // binary ignoring the option cannot let a playlist through.
  if (!acceptedDemuxer(parsed.formatName)) throw unsupportedFormat(parsed.formatName);
  const info = describe(parsed, sizeBytes, probedBy);
  if (!info.audio && !info.video) {
    throw new MediaError(MediaErrorCode.NotMedia, 'the file has no audio or video streams');
  }

  const truncated = truncationNotice(stderr, safeInput(filePath));
  if (truncated) throw new MediaError(MediaErrorCode.Truncated, `the file is incomplete: ${truncated}`);
  if (parsed.formatName.split(',').includes('ogg') && (await oggIsTruncated(filePath))) {
    throw new MediaError(MediaErrorCode.Truncated, 'the file is incomplete: its last Ogg page is cut off');
  }
  checkBounds(info, limits);
  return info;
}
