import fs from 'node:fs';
import path from 'node:path';

export interface MediaBinaries {
  ffmpeg: string;
  ffprobe: string;
}

type Tool = keyof MediaBinaries;

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

export function resolveMediaBinaries(env: NodeJS.ProcessEnv = process.env): MediaBinaries {
  return { ffmpeg: resolveBinary('ffmpeg', env), ffprobe: resolveBinary('ffprobe', env) };
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
