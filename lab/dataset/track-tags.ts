import { mediaBinaries, type MediaBinaries } from '../../src/media/ffmpeg-binary';
import { SAFE_INPUT_ARGS, safeInput } from '../../src/media/ffmpeg-input';
import { runProcess } from '../../src/media/run-process';

/** Container and stream tags of an audio file, keys lower-cased (Vorbis comments vary in case). */
export async function readTrackTags(
  filePath: string,
  binaries: MediaBinaries = mediaBinaries(),
): Promise<Record<string, string>> {
  const result = await runProcess(
    binaries.ffprobe,
    [
      '-v',
      'error',
      '-hide_banner',
      ...SAFE_INPUT_ARGS,
      '-print_format',
      'json',
      '-show_entries',
      'format_tags:stream_tags',
      safeInput(filePath),
    ],
    { timeoutMs: 15_000, maxStdoutBytes: 1024 * 1024 },
  );
  if (result.exitCode !== 0) return {};
  const parsed = JSON.parse(result.stdout.toString('utf8')) as {
    format?: { tags?: Record<string, unknown> };
    streams?: { tags?: Record<string, unknown> }[];
  };
  const tags: Record<string, string> = {};
  for (const source of [...(parsed.streams ?? []).map((s) => s.tags), parsed.format?.tags]) {
    for (const [key, value] of Object.entries(source ?? {})) {
      if (typeof value === 'string' && value.trim() !== '') tags[key.toLowerCase()] ??= value.trim();
    }
  }
  return tags;
}
