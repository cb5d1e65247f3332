import type { Rng } from './prng';
import { buildWorld, WORLD_HEIGHT, WORLD_WIDTH, type World } from './scene-world';

/** The arena game: a player fights enemies that keep spawning; `intensity` drives the action. */

export interface Point {
  x: number;
  y: number;
}
export interface Mover extends Point {
  vx: number;
  vy: number;
  age: number;
}
export interface Explosion extends Point {
  age: number;
  size: number;
}

export interface SceneState {
  world: World;
  player: Point & { heading: number; health: number; target: Point };
  enemies: Mover[];
  shots: Mover[];
  explosions: Explosion[];
  kills: number;
  camera: Point;
  shake: number;
  cooldown: number;
  /** Seconds since the last cut and frames left of the cut flash. */
  roundTime: number;
  flash: number;
}

export const VIEW_WIDTH = 160;
export const VIEW_HEIGHT = 120;

const randomSpot = (rng: Rng): Point => ({
  x: rng.uniform(30, WORLD_WIDTH - 30),
  y: rng.uniform(30, WORLD_HEIGHT - 30),
});

function clampCamera(p: Point): Point {
  return {
    x: Math.max(0, Math.min(WORLD_WIDTH - VIEW_WIDTH, p.x)),
    y: Math.max(0, Math.min(WORLD_HEIGHT - VIEW_HEIGHT, p.y)),
  };
}

/** A cut: a new round in a new arena layout, the camera jumps to the respawned player. */
export function newRound(rng: Rng, kills = 0): SceneState {
  const spawn = randomSpot(rng);
  return {
    world: buildWorld(rng),
    player: { ...spawn, heading: rng.uniform(0, 2 * Math.PI), health: 100, target: randomSpot(rng) },
    enemies: [],
    shots: [],
    explosions: [],
    kills,
    camera: clampCamera({ x: spawn.x - VIEW_WIDTH / 2, y: spawn.y - VIEW_HEIGHT / 2 }),
    shake: 0,
    cooldown: 0,
    roundTime: 0,
    flash: 2,
  };
}

function nearest(from: Point, others: Mover[]): Mover | undefined {
  let best: Mover | undefined;
  let bestD = Infinity;
  for (const o of others) {
    const d = Math.hypot(o.x - from.x, o.y - from.y);
    if (d < bestD) [best, bestD] = [o, d];
  }
  return best && bestD < 85 ? best : undefined;
}

function explode(s: SceneState, at: Point, size: number): void {
  s.explosions.push({ x: at.x, y: at.y, age: 0, size });
  const d = Math.hypot(at.x - s.player.x, at.y - s.player.y);
  s.shake = Math.max(s.shake, d < 60 ? size : 0);
}

/** Advances the scene by dt seconds at action level `intensity` in [0, 1]. */
export function step(s: SceneState, dt: number, intensity: number, rng: Rng): void {
  const p = s.player;
  s.roundTime += dt;
  s.flash = Math.max(0, s.flash - 1);
  // Player: walks to waypoints, faster when the action is intense.
  const toTarget = Math.hypot(p.target.x - p.x, p.target.y - p.y);
  if (toTarget < 6) p.target = randomSpot(rng);
  const speed = 25 + 70 * intensity;
  const heading = Math.atan2(p.target.y - p.y, p.target.x - p.x);
  p.heading += Math.atan2(Math.sin(heading - p.heading), Math.cos(heading - p.heading)) * Math.min(1, 6 * dt);
  p.x += Math.cos(p.heading) * speed * dt;
  p.y += Math.sin(p.heading) * speed * dt;
  p.x = Math.max(10, Math.min(WORLD_WIDTH - 10, p.x));
  p.y = Math.max(10, Math.min(WORLD_HEIGHT - 10, p.y));
  p.health = Math.min(100, p.health + 4 * dt);

  if (s.enemies.length < 10 && rng.chance((0.2 + 2.2 * intensity) * dt)) {
    const angle = rng.uniform(0, 2 * Math.PI);
    const r = rng.uniform(90, 130);
    const x = Math.max(10, Math.min(WORLD_WIDTH - 10, p.x + r * Math.cos(angle)));
    const y = Math.max(10, Math.min(WORLD_HEIGHT - 10, p.y + r * Math.sin(angle)));
    s.enemies.push({ x, y, vx: 0, vy: 0, age: 0 });
  }
  for (const e of s.enemies) {
    const a = Math.atan2(p.y - e.y, p.x - e.x) + 0.6 * Math.sin(e.age * 3 + e.x);
    const v = 12 + 28 * intensity;
    e.vx = Math.cos(a) * v;
    e.vy = Math.sin(a) * v;
    e.x += e.vx * dt;
    e.y += e.vy * dt;
    e.age += dt;
  }

  s.cooldown -= dt;
  const target = nearest(p, s.enemies);
  if (target && s.cooldown <= 0) {
    const a = Math.atan2(target.y - p.y, target.x - p.x);
    s.shots.push({ x: p.x, y: p.y, vx: 160 * Math.cos(a), vy: 160 * Math.sin(a), age: 0 });
    s.cooldown = 0.9 - 0.6 * intensity;
  }
  for (const shot of s.shots) {
    shot.x += shot.vx * dt;
    shot.y += shot.vy * dt;
    shot.age += dt;
  }

  for (const shot of s.shots) {
    const hit = s.enemies.find((e) => Math.hypot(e.x - shot.x, e.y - shot.y) < 5);
    if (!hit) continue;
    s.enemies.splice(s.enemies.indexOf(hit), 1);
    shot.age = Infinity;
    s.kills++;
    explode(s, hit, 3);
  }
  s.shots = s.shots.filter((shot) => shot.age < 0.6);
  for (const e of s.enemies.filter((en) => Math.hypot(en.x - p.x, en.y - p.y) < 8)) {
    s.enemies.splice(s.enemies.indexOf(e), 1);
    p.health -= 12;
    explode(s, e, 2);
  }
  if (p.health <= 0) {
    explode(s, p, 5);
    Object.assign(p, { ...randomSpot(rng), health: 100 });
  }
  for (const x of s.explosions) x.age += dt;
  s.explosions = s.explosions.filter((x) => x.age < 0.5);

  const shake = s.shake > 0 ? s.shake * (rng.next() - 0.5) : 0;
  s.shake = Math.max(0, s.shake - 20 * dt);
  const goal = clampCamera({ x: p.x - VIEW_WIDTH / 2, y: p.y - VIEW_HEIGHT / 2 });
  s.camera = clampCamera({
    x: s.camera.x + (goal.x - s.camera.x) * 0.2 + shake,
    y: s.camera.y + (goal.y - s.camera.y) * 0.2,
  });
}
