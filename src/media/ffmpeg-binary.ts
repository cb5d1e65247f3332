import fs from 'node:fs';
import path from 'node:path';

export interface MediaBinaries {
  ffmpeg: string;
  ffprobe: string;
  /** Named in logs and results (MediaInfo.probedBy, DecodedAudio.decodedBy); default 'ffmpeg'. */
  label?: string;
  /**
   * A second ffmpeg/ffprobe pair tried when this one cannot read a file that the allow-list
   * accepts: Debian's ffmpeg 5.1 refuses some valid Ogg Vorbis headers that other builds read.
   */
  fallback?: MediaBinaries;
}

type Tool = 'ffmpeg' | 'ffprobe';

const ENV_VAR: Record<Tool, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name: string, searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function bundledBinary(tool: Tool): string | undefined {
  try {
    // Loaded lazily: these packages throw at load time when their platform binary is missing,
    // and they are only the last resort.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const pkg = (tool === 'ffmpeg' ? require('@ffmpeg-installer/ffmpeg') : require('@ffprobe-installer/ffprobe')) as {
      path?: unknown;
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    return typeof pkg.path === 'string' && isExecutableFile(pkg.path) ? pkg.path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Order: $FFMPEG_PATH / $FFPROBE_PATH, then the system binary on $PATH (Debian's build is newer
 * than the npm one and gets security updates), then the static build shipped in node_modules.
 */
export function resolveBinary(tool: Tool, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[ENV_VAR[tool]]?.trim();
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) {
      throw new Error(`${ENV_VAR[tool]}=${fromEnv} is not an executable file`);
    }
    return fromEnv;
  }
  const found = findOnPath(tool, env.PATH) ?? bundledBinary(tool);
  if (!found) {
    throw new Error(`${tool} not found: set ${ENV_VAR[tool]}, install it on PATH, or install the npm package`);
  }
  return found;
}

export const BUNDLED_LABEL = 'bundled-ffmpeg';

/** The static builds shipped in node_modules, if both are installed. */
export function bundledMediaBinaries(): MediaBinaries | undefined {
  const ffmpeg = bundledBinary('ffmpeg');
  const ffprobe = bundledBinary('ffprobe');
  return ffmpeg && ffprobe ? { ffmpeg, ffprobe, label: BUNDLED_LABEL } : undefined;
}

/** The binaries to use, with the bundled builds as the fallback unless they are the first choice already. */
export function resolveMediaBinaries(env: NodeJS.ProcessEnv = process.env): MediaBinaries {
  const primary: MediaBinaries = { ffmpeg: resolveBinary('ffmpeg', env), ffprobe: resolveBinary('ffprobe', env) };
  const bundled = bundledMediaBinaries();
  const same = (a: string, b: string) => fs.realpathSync(a) === fs.realpathSync(b);
  if (!bundled || same(bundled.ffmpeg, primary.ffmpeg) || same(bundled.ffprobe, primary.ffprobe)) {
    return { ...primary, label: primary.ffmpeg === bundled?.ffmpeg ? BUNDLED_LABEL : 'ffmpeg' };
  }
  return { ...primary, label: 'ffmpeg', fallback: bundled };
}

let cached: MediaBinaries | undefined;

/** The binaries for this process's environment, resolved once. */
export function mediaBinaries(): MediaBinaries {
  cached ??= resolveMediaBinaries();
  return cached;
}

export function resetMediaBinariesForTests(): void {
  cached = undefined;
}
