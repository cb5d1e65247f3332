import { RgbCanvas, type Rgb } from './scene-raster';
import { VIEW_HEIGHT, VIEW_WIDTH, type SceneState } from './scene-sim';
import { WORLD_WIDTH } from './scene-world';

/** Team colours: the one visual choice that varies per video (a nuisance, not a music cue). */
export const TEAM_COLOURS: readonly Rgb[] = [
  [70, 140, 255],
  [250, 210, 60],
  [80, 220, 220],
  [200, 120, 255],
];

const ENEMY: Rgb = [210, 50, 50];
const ENEMY_EDGE: Rgb = [110, 20, 20];
const SHOT: Rgb = [255, 240, 150];
const BLAST: Rgb = [255, 150, 40];
const HUD_BG: Rgb = [20, 20, 28];
const WHITE: Rgb = [255, 255, 255];
// The HUD stays inside the centre 120 px, which survives the model's square centre crop.
const HUD_LEFT = 22;
const HUD_RIGHT = 138;

function drawHud(c: RgbCanvas, s: SceneState, roundLength: number): void {
  c.rect(HUD_LEFT, 0, HUD_RIGHT - HUD_LEFT, 10, HUD_BG, 0.85);
  const health = Math.max(0, s.player.health) / 100;
  c.rect(HUD_LEFT + 3, 3, 48, 4, [60, 60, 60]);
  c.rect(HUD_LEFT + 3, 3, 48 * health, 4, [Math.round(230 * (1 - health)), Math.round(200 * health), 40]);
  const pips = s.kills % 14;
  for (let i = 0; i < pips; i++) c.rect(HUD_LEFT + 58 + i * 4, 3, 2, 4, [240, 200, 60]);
  c.rect(HUD_LEFT, VIEW_HEIGHT - 4, HUD_RIGHT - HUD_LEFT, 3, HUD_BG, 0.7);
  const progress = Math.min(1, s.roundTime / roundLength);
  c.rect(HUD_LEFT + 1, VIEW_HEIGHT - 3, (HUD_RIGHT - HUD_LEFT - 2) * progress, 1, WHITE, 0.8);
}

/** Draws one frame of the scene as seen by its camera. */
export function renderFrame(c: RgbCanvas, s: SceneState, team: Rgb, roundLength: number): void {
  const camX = Math.round(s.camera.x);
  const camY = Math.round(s.camera.y);
  c.blitFrom(s.world.texture, WORLD_WIDTH, camX, camY);
  const sx = (x: number) => x - camX;
  const sy = (y: number) => y - camY;
  for (const e of s.enemies) {
    c.disc(sx(e.x), sy(e.y), 4, ENEMY_EDGE);
    c.disc(sx(e.x), sy(e.y), 3, ENEMY);
  }
  for (const shot of s.shots) c.rect(sx(shot.x) - 1, sy(shot.y) - 1, 2, 2, SHOT);
  const p = s.player;
  c.disc(sx(p.x), sy(p.y), 5, [20, 20, 20]);
  c.disc(sx(p.x), sy(p.y), 4, team);
  c.line(sx(p.x), sy(p.y), sx(p.x) + 7 * Math.cos(p.heading), sy(p.y) + 7 * Math.sin(p.heading), WHITE);
  for (const x of s.explosions) {
    const r = x.size * (1 + 6 * x.age);
    if (x.age < 0.15) c.disc(sx(x.x), sy(x.y), r, [255, 230, 160], 0.9);
    c.ring(sx(x.x), sy(x.y), r + 1, 2, BLAST, Math.max(0, 1 - 2 * x.age));
  }
  drawHud(c, s, roundLength);
  if (s.flash > 0) c.tint(WHITE, 0.45 * s.flash);
}

export const newCanvas = (): RgbCanvas => new RgbCanvas(VIEW_WIDTH, VIEW_HEIGHT);
