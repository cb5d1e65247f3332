/** A tiny RGB24 canvas with the few primitives the arena scene needs. */

// Bound once: inside a vm context (jest) every read of the global `Math` is intercepted, which
// made per-pixel drawing several times slower.
const { round, max, min, floor, ceil, abs } = Math;

export type Rgb = readonly [number, number, number];

export class RgbCanvas {
  readonly data: Buffer;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 3);
  }

  /** Blends `rgb` over the pixel with opacity `alpha` (1 = replace). */
  pixel(x: number, y: number, rgb: Rgb, alpha = 1): void {
    const xi = round(x);
    const yi = round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const at = (yi * this.width + xi) * 3;
    const d = this.data;
    if (alpha >= 1) {
      d[at] = rgb[0];
      d[at + 1] = rgb[1];
      d[at + 2] = rgb[2];
      return;
    }
    d[at] = round((d[at] ?? 0) * (1 - alpha) + rgb[0] * alpha);
    d[at + 1] = round((d[at + 1] ?? 0) * (1 - alpha) + rgb[1] * alpha);
    d[at + 2] = round((d[at + 2] ?? 0) * (1 - alpha) + rgb[2] * alpha);
  }

  rect(x: number, y: number, w: number, h: number, rgb: Rgb, alpha = 1): void {
    const x0 = max(0, round(x));
    const y0 = max(0, round(y));
    const x1 = min(this.width, round(x + w));
    const y1 = min(this.height, round(y + h));
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.pixel(xx, yy, rgb, alpha);
  }

  disc(cx: number, cy: number, r: number, rgb: Rgb, alpha = 1): void {
    const r2 = r * r;
    for (let yy = floor(cy - r); yy <= ceil(cy + r); yy++) {
      for (let xx = floor(cx - r); xx <= ceil(cx + r); xx++) {
        if ((xx - cx) ** 2 + (yy - cy) ** 2 <= r2) this.pixel(xx, yy, rgb, alpha);
      }
    }
  }

  ring(cx: number, cy: number, r: number, thickness: number, rgb: Rgb, alpha = 1): void {
    const outer = r * r;
    const inner = max(0, r - thickness) ** 2;
    for (let yy = floor(cy - r); yy <= ceil(cy + r); yy++) {
      for (let xx = floor(cx - r); xx <= ceil(cx + r); xx++) {
        const d = (xx - cx) ** 2 + (yy - cy) ** 2;
        if (d <= outer && d >= inner) this.pixel(xx, yy, rgb, alpha);
      }
    }
  }

  line(x0: number, y0: number, x1: number, y1: number, rgb: Rgb): void {
    const steps = max(1, ceil(max(abs(x1 - x0), abs(y1 - y0))));
    for (let i = 0; i <= steps; i++) this.pixel(x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps, rgb);
  }

  /** Copies a width x height window of `source` (an RGB image sourceWidth wide) at (sx, sy). */
  blitFrom(source: Uint8Array, sourceWidth: number, sx: number, sy: number): void {
    const rowBytes = this.width * 3;
    for (let y = 0; y < this.height; y++) {
      const from = ((sy + y) * sourceWidth + sx) * 3;
      this.data.set(source.subarray(from, from + rowBytes), y * rowBytes);
    }
  }

  /** Moves every pixel toward `rgb` by `amount` (cut flashes). */
  tint(rgb: Rgb, amount: number): void {
    const d = this.data;
    for (let i = 0; i < d.length; i += 3) {
      d[i] = round((d[i] ?? 0) * (1 - amount) + rgb[0] * amount);
      d[i + 1] = round((d[i + 1] ?? 0) * (1 - amount) + rgb[1] * amount);
      d[i + 2] = round((d[i + 2] ?? 0) * (1 - amount) + rgb[2] * amount);
    }
  }
}
