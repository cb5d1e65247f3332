export type PresetName = 'small' | 'full';

export interface Preset {
  videos: number;
  /** Distinct tracks the videos share. */
  tracks: number;
  minVideoSec: number;
  maxVideoSec: number;
  fps: number;
  width: number;
  height: number;
}

/** HoK400's split: 265 train and 162 test videos out of 427. */
export const TEST_FRACTION = 162 / 427;

export const PRESETS: Record<PresetName, Preset> = {
  // CI and tests: a couple of minutes on 2 cores.
  small: { videos: 48, tracks: 6, minVideoSec: 20, maxVideoSec: 40, fps: 12, width: 160, height: 120 },
  // Results: HoK400's size.
  full: { videos: 427, tracks: 40, minVideoSec: 20, maxVideoSec: 60, fps: 12, width: 160, height: 120 },
};

export function isPresetName(name: string): name is PresetName {
  return name === 'small' || name === 'full';
}

/** Bounds every option that reaches the generator (validate at the edge). */
export const LIMITS = {
  videos: [1, 5000],
  tracks: [1, 500],
  videoSec: [8, 180],
  fps: [10, 30],
  concurrency: [1, 16],
} as const;
