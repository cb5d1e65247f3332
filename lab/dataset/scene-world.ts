import type { Rng } from './prng';
import type { Rgb } from './scene-raster';

/** One round's arena: a fixed-style ground texture with rocks and trees, bigger than the view. */
// Bound once: inside a vm context (jest) every read of the global `Math` is intercepted.
const { imul, abs, hypot, floor, ceil } = Math;

export const WORLD_WIDTH = 400;
export const WORLD_HEIGHT = 300;
const WALL = 6;

export const PALETTE = {
  groundA: [58, 94, 52] as Rgb,
  groundB: [66, 104, 58] as Rgb,
  wall: [92, 80, 68] as Rgb,
  rock: [112, 112, 120] as Rgb,
  rockEdge: [70, 70, 78] as Rgb,
  treeDark: [28, 64, 34] as Rgb,
  treeLight: [44, 90, 46] as Rgb,
};

export interface Obstacle {
  x: number;
  y: number;
  /** Half size (rocks) or radius (trees). */
  size: number;
  kind: 'rock' | 'tree';
}

export interface World {
  texture: Uint8Array;
  obstacles: Obstacle[];
}

function put(tex: Uint8Array, x: number, y: number, rgb: Rgb): void {
  if (x < 0 || y < 0 || x >= WORLD_WIDTH || y >= WORLD_HEIGHT) return;
  const at = (y * WORLD_WIDTH + x) * 3;
  tex[at] = rgb[0];
  tex[at + 1] = rgb[1];
  tex[at + 2] = rgb[2];
}

function paintObstacle(tex: Uint8Array, o: Obstacle): void {
  for (let y = floor(o.y - o.size); y <= ceil(o.y + o.size); y++) {
    for (let x = floor(o.x - o.size); x <= ceil(o.x + o.size); x++) {
      switch (o.kind) {
        case 'rock': {
          const edge = abs(x - o.x) > o.size - 1.5 || abs(y - o.y) > o.size - 1.5;
          put(tex, x, y, edge ? PALETTE.rockEdge : PALETTE.rock);
          break;
        }
        case 'tree': {
          const d = hypot(x - o.x, y - o.y);
          if (d <= o.size) put(tex, x, y, d < o.size * 0.5 ? PALETTE.treeLight : PALETTE.treeDark);
          break;
        }
      }
    }
  }
}

export function buildWorld(rng: Rng): World {
  const tex = new Uint8Array(WORLD_WIDTH * WORLD_HEIGHT * 3);
  const grain = rng.int(0, 1 << 20);
  for (let y = 0; y < WORLD_HEIGHT; y++) {
    for (let x = 0; x < WORLD_WIDTH; x++) {
      const wall = x < WALL || y < WALL || x >= WORLD_WIDTH - WALL || y >= WORLD_HEIGHT - WALL;
      const base = wall ? PALETTE.wall : ((x >> 4) + (y >> 4)) % 2 === 0 ? PALETTE.groundA : PALETTE.groundB;
      // A fixed hash per 4x4 block gives the grass some grain without per-frame cost.
      const h = imul(((x >> 2) * 73856093) ^ ((y >> 2) * 19349663) ^ grain, 0x27d4eb2d) >>> 28;
      const v = (h & 7) - 4;
      put(tex, x, y, [base[0] + v, base[1] + v, base[2] + v]);
    }
  }
  const obstacles: Obstacle[] = [];
  const rocks = rng.int(10, 18);
  const trees = rng.int(8, 15);
  for (let i = 0; i < rocks + trees; i++) {
    const kind = i < rocks ? 'rock' : 'tree';
    const size = kind === 'rock' ? rng.uniform(4, 10) : rng.uniform(5, 10);
    obstacles.push({ x: rng.uniform(20, WORLD_WIDTH - 20), y: rng.uniform(20, WORLD_HEIGHT - 20), size, kind });
  }
  for (const o of obstacles) paintObstacle(tex, o);
  return { texture: tex, obstacles };
}
