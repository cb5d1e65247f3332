import type { StoredVoiceActivity } from '../../inference/voice-activity';

/**
 * How loud the music plays under the creator's voice: down by `duckDb` while they speak, back up in
 * the gaps, with short ramps either side (the voice-over timeline of inference/voice-activity.ts).
 * Given as keyframes an app can apply, and as the same curve in an ffmpeg `volume` filter.
 */
export interface TimedSpan {
  startSec: number;
  endSec: number;
}

export interface GainKeyframe {
  timeSec: number;
  gainDb: number;
}

export interface DuckingOptions {
  duckDb: number;
  /** The music is down this long before speech starts. */
  attackSec: number;
  /** ...and comes back up over this long after it ends. */
  releaseSec: number;
}

export const DEFAULT_DUCKING: DuckingOptions = { duckDb: -12, attackSec: 0.15, releaseSec: 0.4 };

export interface DuckingPlan {
  /** Piecewise linear in dB, times from the start of the video, ascending; starts at 0 s, ends at the video's end. */
  keyframes: GainKeyframe[];
  duckDb: number;
  /** `volume=...` for ffmpeg's filter graph on the cut music (t = 0 at the video's start). */
  ffmpegFilter: string;
}

export function duckingPlan(
  speech: readonly TimedSpan[],
  videoSec: number,
  o: DuckingOptions = DEFAULT_DUCKING,
): DuckingPlan {
  // Ducked stretches: each speech segment widened by the ramps, merged where they would touch, so
  // the music does not bob up in a pause shorter than its ramps.
  const ducked: TimedSpan[] = [];
  for (const s of [...speech].sort((a, b) => a.startSec - b.startSec)) {
    const from = Math.max(0, s.startSec - o.attackSec);
    const to = Math.min(videoSec, s.endSec);
    if (to <= from) continue;
    const last = ducked.at(-1);
    if (last && from <= last.endSec + o.releaseSec) last.endSec = Math.max(last.endSec, to);
    else ducked.push({ startSec: from, endSec: to });
  }
  const keyframes: GainKeyframe[] = [{ timeSec: 0, gainDb: 0 }];
  const push = (timeSec: number, gainDb: number) => {
    const last = keyframes.at(-1)!;
    if (timeSec <= last.timeSec) last.gainDb = gainDb;
    else keyframes.push({ timeSec: round(timeSec), gainDb });
  };
  for (const d of ducked) {
    push(d.startSec, 0);
    push(Math.min(d.startSec + o.attackSec, d.endSec), o.duckDb);
    push(d.endSec, o.duckDb);
    // Speech running to the video's end keeps the music down to the end.
    if (d.endSec < videoSec) push(Math.min(videoSec, d.endSec + o.releaseSec), 0);
  }
  push(videoSec, keyframes.at(-1)!.gainDb);
  return { keyframes, duckDb: o.duckDb, ffmpegFilter: volumeFilter(keyframes) };
}

/** The plan for a video's stored voice-over timeline (video.voice_activity); null without one. */
export function duckingPlanFor(
  stored: StoredVoiceActivity | null | undefined,
  videoSec: number | null,
): DuckingPlan | null {
  return videoSec && stored && !('error' in stored) ? duckingPlan(stored.segments, videoSec) : null;
}

/**
 * The keyframes as one flat ffmpeg expression: linear interpolation between keyframes is the first
 * gain plus, for each step, its change times how far t is through it (clipped to 0..1), so the
 * expression does not nest however many lines the voice-over has. Gains are linear amplitudes.
 */
export function volumeFilter(keyframes: readonly GainKeyframe[]): string {
  const amp = (db: number) => Number(10 ** (db / 20)).toFixed(5);
  const terms = [amp(keyframes[0]?.gainDb ?? 0)];
  for (let i = 0; i + 1 < keyframes.length; i++) {
    const a = keyframes[i]!;
    const b = keyframes[i + 1]!;
    const delta = Number(amp(b.gainDb)) - Number(amp(a.gainDb));
    if (delta === 0 || b.timeSec <= a.timeSec) continue;
    terms.push(`${delta.toFixed(5)}*clip((t-${a.timeSec})/${round(b.timeSec - a.timeSec)},0,1)`);
  }
  return `volume=eval=frame:volume='${terms.join('+')}'`;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
