import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { mediaBinaries, type MediaBinaries } from '../ffmpeg-binary';
import { SAFE_INPUT_ARGS, safeInput } from '../ffmpeg-input';
import { ffmpegReason } from '../ffmpeg-stderr';
import { measureLoudness } from '../loudness';
import { MediaError, MediaErrorCode } from '../media-error';
import { probeMedia, type ProbeLimits } from '../probe';
import { runProcess } from '../run-process';
import { audioMixGraph, encodeGraph, type MusicPart, musicInputArgs } from './mix-graph';

/** Local files a preview is rendered from (scratch copies on an object store). */
export interface MixFiles {
  video: string;
  /** Null: the video's own audio is the voice-over (when it has any). */
  voiceOver: string | null;
  track: string;
}

export interface RenderMixOptions {
  music: MusicPart;
  /** Longest preview; a longer video is cut. */
  maxSeconds: number;
  /** Integrated loudness (EBU R128) the preview is brought to. */
  targetLufs: number;
  /** Each ffmpeg run. */
  timeoutMs: number;
  /** Bounds on the inputs (size, duration), checked before anything is decoded. */
  limits: Pick<ProbeLimits, 'maxFileBytes' | 'maxDurationSeconds'>;
  /** Called between passes (a job's heartbeat). */
  onProgress?: () => void;
  binaries?: MediaBinaries;
}

export interface RenderedMix {
  durationSec: number;
  /** Integrated loudness measured on the written file. */
  measuredLufs: number;
}

/** A pass whose result is further than this from the target is redone once with the gain corrected. */
const LOUDNESS_TOLERANCE_LU = 0.5;

/**
 * Renders a preview: an H.264/AAC MP4 (fast start) of the video's frames with the voice-over over
 * the music part, at the target loudness. Three steps, all ffmpeg: the audio is mixed into a float
 * WAV (no clipping before the gain is known); its loudness is measured; the encode applies the
 * gain that brings it to the target under a peak limiter. The limiter and AAC move the result a
 * little, so the encoded file is measured and, when off by more than the tolerance, encoded once
 * more with the difference added. The one renderer for both the rater page and renderPreview jobs.
 * Throws MediaError for unreadable, silent or out-of-bounds inputs.
 */
export async function renderMix(files: MixFiles, out: string, options: RenderMixOptions): Promise<RenderedMix> {
  const binaries = options.binaries ?? mediaBinaries();
  const probeLimits = { ...options.limits, timeoutMs: 30_000 };
  const video = await probeMedia(files.video, { ...probeLimits, requireVideo: true }, binaries);
  // The track and a separate voice-over are probed too, so a malformed one fails with its own reason.
  await probeMedia(files.track, { ...probeLimits, requireAudio: true }, binaries);
  if (files.voiceOver) await probeMedia(files.voiceOver, { ...probeLimits, requireAudio: true }, binaries);
  const durationSec = Math.min(video.durationSeconds ?? options.maxSeconds, options.maxSeconds);
  const voice = files.voiceOver ?? (video.audio ? files.video : null);

  const scratch = `${out}.${randomBytes(6).toString('hex')}`;
  const mixWav = `${scratch}.mix.wav`;
  const encoded = `${scratch}.tmp.mp4`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  try {
    const inputs = voice ? [voice, files.track] : [files.track];
    const args = ['-nostdin', '-v', 'error', '-y'];
    if (voice) args.push(...SAFE_INPUT_ARGS, '-i', safeInput(voice));
    args.push(...SAFE_INPUT_ARGS, ...musicInputArgs(options.music), '-i', safeInput(files.track));
    const graph = audioMixGraph({
      durationSec,
      voiceInput: voice ? 0 : null,
      musicInput: voice ? 1 : 0,
      music: options.music,
    });
    args.push('-filter_complex', graph, '-map', '[a]', '-c:a', 'pcm_f32le', '-f', 'wav', mixWav);
    await ffmpeg(binaries, args, options.timeoutMs, inputs.at(-1)!);
    options.onProgress?.();

    // SILENT_AUDIO when nothing passes the loudness gate: a preview of silence is a failed render.
    const mixed = await measureLoudness(mixWav, { timeoutMs: options.timeoutMs }, binaries);
    let gainDb = options.targetLufs - mixed.integratedLufs;
    let measuredLufs = NaN;
    for (let pass = 0; pass < 2; pass++) {
      await encode(binaries, files.video, mixWav, encoded, gainDb, durationSec, options.timeoutMs);
      options.onProgress?.();
      measuredLufs = (await measureLoudness(encoded, { timeoutMs: options.timeoutMs }, binaries)).integratedLufs;
      const error = options.targetLufs - measuredLufs;
      if (Math.abs(error) <= LOUDNESS_TOLERANCE_LU) break;
      gainDb += error;
    }
    // Atomic publish: a reader never sees a half-written preview.
    await fs.promises.rename(encoded, out);
    return { durationSec, measuredLufs };
  } finally {
    await Promise.all([mixWav, encoded].map((f) => fs.promises.rm(f, { force: true })));
  }
}

async function encode(
  binaries: MediaBinaries,
  videoFile: string,
  mixWav: string,
  out: string,
  gainDb: number,
  durationSec: number,
  timeoutMs: number,
) {
  // The video is re-encoded small (640 px, CRF 26): a preview is for judging the fit, not the picture.
  const args = ['-nostdin', '-v', 'error', '-y', ...SAFE_INPUT_ARGS, '-i', safeInput(videoFile)];
  args.push('-i', safeInput(mixWav), '-filter_complex', encodeGraph(gainDb), '-map', '[v]', '-map', '[a]');
  args.push('-t', durationSec.toFixed(3), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26');
  args.push('-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-movflags', '+faststart');
  args.push('-f', 'mp4', out);
  await ffmpeg(binaries, args, timeoutMs, videoFile);
}

async function ffmpeg(binaries: MediaBinaries, args: string[], timeoutMs: number, blamed: string) {
  const result = await runProcess(binaries.ffmpeg, args, { timeoutMs, maxStdoutBytes: 64 * 1024 });
  if (result.exitCode !== 0)
    throw new MediaError(
      MediaErrorCode.DecodeFailed,
      `preview rendering failed: ${ffmpegReason(result.stderr, safeInput(blamed))}`,
    );
}
