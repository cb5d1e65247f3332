/** Narrow, typed reading of `ffprobe -print_format json` output (the fields we ask for). */

export interface RawStream {
  index: number;
  codecType: string;
  codecName: string;
  width?: number;
  height?: number;
  avgFrameRate?: string;
  rFrameRate?: string;
  sampleRate?: number;
  channels?: number;
  durationSeconds?: number;
  attachedPicture: boolean;
}

export interface RawProbe {
  formatName: string;
  durationSeconds?: number;
  streams: RawStream[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function parseStream(s: Json): RawStream | undefined {
  const index = num(s.index);
  if (index === undefined) return undefined;
  const disposition = isObject(s.disposition) ? s.disposition : {};
  return {
    index,
    codecType: str(s.codec_type) ?? 'unknown',
    codecName: str(s.codec_name) ?? 'unknown',
    width: num(s.width),
    height: num(s.height),
    avgFrameRate: str(s.avg_frame_rate),
    rFrameRate: str(s.r_frame_rate),
    sampleRate: num(s.sample_rate),
    channels: num(s.channels),
    durationSeconds: num(s.duration),
    attachedPicture: num(disposition.attached_pic) === 1,
  };
}

/** Returns undefined when the text is not the JSON shape ffprobe writes. */
export function parseProbeJson(text: string): RawProbe | undefined {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(root) || !isObject(root.format)) return undefined;
  const streams = Array.isArray(root.streams) ? root.streams : [];
  return {
    formatName: str(root.format.format_name) ?? 'unknown',
    durationSeconds: num(root.format.duration),
    streams: streams.flatMap((s) => {
      const parsed = isObject(s) ? parseStream(s) : undefined;
      return parsed ? [parsed] : [];
    }),
  };
}

/** "30000/1001" -> 29.97; "0/0" and garbage -> undefined. */
export function parseRate(rate: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(rate ?? '');
  if (!match) return undefined;
  const value = Number(match[1]) / (match[2] === undefined ? 1 : Number(match[2]));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
