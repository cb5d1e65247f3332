import { mixDriver, type ModalityKnobs, type SegmentDrivers } from './generation-rule';
import { clamp01, type Rng } from './prng';
import { newCanvas, renderFrame, TEAM_COLOURS } from './scene-render';
import { newRound, step } from './scene-sim';

export interface VideoPlan {
  fps: number;
  frames: number;
  team: number;
  /** Action level per second in [0, 1]: player and enemy speed, spawn and fire rate. */
  intensity: number[];
  /** Times of the scene cuts (new round, new arena layout), seconds. */
  cutsSec: number[];
}

/**
 * The video follows the music weakly: intensity mixes the energy envelope with the creator's
 * own random walk, and the cut interval the tempo with a per-video habit, both with knobs.
 */
export function planVideo(
  durationSec: number,
  fps: number,
  d: SegmentDrivers,
  knobs: ModalityKnobs,
  rng: Rng,
): VideoPlan {
  const seconds = Math.ceil(durationSec);
  let walk = rng.next();
  const intensity: number[] = [];
  for (let s = 0; s < seconds; s++) {
    walk = clamp01(walk + 0.15 * rng.normal());
    intensity.push(mixDriver(knobs, d.energy(s), walk, rng));
  }
  const cutHabit = rng.next();
  const cutsSec: number[] = [];
  for (let t = 0; ;) {
    const pace = mixDriver(knobs, d.tempo, cutHabit, rng);
    t += (3 + 9 * (1 - pace)) * rng.uniform(0.8, 1.2);
    if (rng.chance(knobs.strength)) t = d.beatPhaseSec + Math.round((t - d.beatPhaseSec) / d.beatSec) * d.beatSec;
    if (t > durationSec - 2) break;
    cutsSec.push(t);
  }
  return { fps, frames: Math.round(durationSec * fps), team: rng.int(0, TEAM_COLOURS.length - 1), intensity, cutsSec };
}

function intensityAt(plan: VideoPlan, t: number): number {
  const s = Math.min(plan.intensity.length - 1, Math.floor(t));
  const next = plan.intensity[Math.min(plan.intensity.length - 1, s + 1)] ?? 0;
  const here = plan.intensity[s] ?? 0;
  return here + (next - here) * (t - s);
}

/** Simulates and draws every frame of the plan in order. */
export async function renderVideo(plan: VideoPlan, rng: Rng, emit: (rgb24: Buffer) => Promise<void>): Promise<void> {
  const canvas = newCanvas();
  const team = TEAM_COLOURS[plan.team % TEAM_COLOURS.length] ?? [255, 255, 255];
  const dt = 1 / plan.fps;
  let state = newRound(rng);
  state.flash = 0;
  let cut = 0;
  let roundStart = 0;
  for (let f = 0; f < plan.frames; f++) {
    const t = f * dt;
    const nextCut = plan.cutsSec[cut];
    if (nextCut !== undefined && t >= nextCut) {
      state = newRound(rng, state.kills);
      roundStart = nextCut;
      cut++;
    }
    step(state, dt, intensityAt(plan, t), rng);
    const roundLength = (plan.cutsSec[cut] ?? plan.frames * dt) - roundStart;
    renderFrame(canvas, state, team, Math.max(1, roundLength));
    // A copy: the stream may still hold the previous buffer when the canvas is redrawn.
    await emit(Buffer.from(canvas.data));
  }
}
