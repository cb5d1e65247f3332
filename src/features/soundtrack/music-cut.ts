/**
 * Where to cut a suggested track so that it fits a video: the music starts on a downbeat near the
 * model's best window and lasts a whole number of bars, the number closest to the video's length,
 * with a fade over (at most) the last bar. Downbeats and tempo come from the track's analysis at
 * ingest (features/rhythm); a track without them gets no cut (the suggestion stands without one).
 */
export interface MusicCutInput {
  /** Start of the track's best-fitting window (the suggestion's startOffsetSec). */
  windowStartSec: number;
  videoSec: number;
  trackSec: number;
  /** Detected downbeats, ascending (4/4 assumed by the analysis). */
  downbeats: readonly number[];
  tempoBpm: number | null;
}

export interface MusicCut {
  startSec: number;
  endSec: number;
  /** Whole bars between start and end (the end is a detected downbeat when the track has one there). */
  bars: number;
  barSec: number;
  /** Fade-out ending at endSec. */
  fadeOutSec: number;
  /** False when the track is shorter than the video from any downbeat: the cut ends with the track. */
  coversVideo: boolean;
}

const BEATS_PER_BAR = 4;
const MAX_FADE_SEC = 2;

export function musicCut(input: MusicCutInput): MusicCut | null {
  const { windowStartSec, videoSec, trackSec, downbeats, tempoBpm } = input;
  if (!tempoBpm || !(tempoBpm > 0) || downbeats.length === 0 || !(videoSec > 0)) return null;
  const barSec = (60 / tempoBpm) * BEATS_PER_BAR;
  const bars = Math.max(1, Math.round(videoSec / barSec));
  const wanted = bars * barSec;
  // Downbeats from which the whole cut fits in the track; if none, the earliest one.
  const fitting = downbeats.filter((d) => d + wanted <= trackSec + 1e-6);
  const candidates = fitting.length > 0 ? fitting : downbeats.slice(0, 1);
  const start = candidates.reduce((best, d) =>
    Math.abs(d - windowStartSec) < Math.abs(best - windowStartSec) ? d : best,
  );
  // The bar line `bars` downbeats later when it was detected, so a drifting tempo still ends on a bar.
  const later = downbeats[downbeats.indexOf(start) + bars];
  const end = Math.min(
    trackSec,
    later !== undefined && Math.abs(later - start - wanted) < barSec / 2 ? later : start + wanted,
  );
  return {
    startSec: start,
    endSec: end,
    bars,
    barSec,
    fadeOutSec: Math.min(barSec, MAX_FADE_SEC, end - start),
    coversVideo: end - start >= wanted - barSec / 2,
  };
}
