// Pictures of vectors: a 28×28 image in grey (ink white on black, as MNIST stores it, or dark on light)
// and a weight tile in a diverging colour map (positive green, negative red, as the lessons draw them).

export type TileStyle = "ink" | "paper" | "diverging";

/** Colour of value v for a style; `scale` is the magnitude that maps to full colour (diverging). */
export function tileColor(v: number, style: TileStyle, scale = 1): [number, number, number] {
  if (style === "diverging") {
    const t = Math.max(-1, Math.min(1, v / (scale || 1)));
    // 0 → near-black, +1 → green, −1 → red (the lesson's weight pictures)
    return t >= 0 ? [Math.round(20 + 30 * t), Math.round(20 + 200 * t), Math.round(20 + 70 * t)] : [Math.round(20 - 210 * t), Math.round(20 - 40 * t), Math.round(20 - 30 * t)];
  }
  const g = Math.round(255 * Math.max(0, Math.min(1, style === "ink" ? v : 1 - v)));
  return [g, g, g];
}

/**
 * A cell colour and the text colour that reads on it at WCAG AA (≥ 4.5:1): mid-tones that neither
 * white nor near-black text reaches are lightened towards white (keeping their hue) under dark text.
 */
export function readableCell(rgb: [number, number, number]): { background: [number, number, number]; text: string } {
  const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const lum = ([r, g, b]: number[]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const l = lum(rgb);
  if (1.05 / (l + 0.05) >= 4.5) return { background: rgb, text: "#ffffff" };
  for (let t = 0; t <= 1.0001; t += 0.05) {
    const mixed = rgb.map((c) => Math.round(c + (255 - c) * t)) as [number, number, number];
    if ((lum(mixed) + 0.05) / 0.062 >= 4.5) return { background: mixed, text: "#1a1d23" };
  }
  return { background: [255, 255, 255], text: "#1a1d23" };
}

/** Largest |value|: the symmetric scale of a diverging tile. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/**
 * Draws `values` (row-major, `width`×`height`) into a canvas, one canvas pixel per value; CSS scales it
 * (the canvas gets class "pixelated"). Returns the canvas.
 */
export function drawTile(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  width: number,
  height: number,
  style: TileStyle = "ink",
  scale = style === "diverging" ? maxAbs(values) : 1,
): HTMLCanvasElement {
  canvas.width = width;
  canvas.height = height;
  canvas.classList.add("pixelated");
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = tileColor(values[i], style, scale);
    img.data[4 * i] = r;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** A new canvas showing `values`, displayed at `size` CSS pixels square. */
export function tile(values: ArrayLike<number>, width: number, height: number, style: TileStyle = "ink", size = 84, scale?: number): HTMLCanvasElement {
  const c = document.createElement("canvas");
  drawTile(c, values, width, height, style, scale);
  c.style.width = `${size}px`;
  c.style.height = `${Math.round((size * height) / width)}px`;
  return c;
}
