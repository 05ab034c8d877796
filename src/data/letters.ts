// Letters as "not a digit" images (the learner's "could you train the 11th class on letters?"): glyphs
// of Debian's DejaVu fonts (package fonts-dejavu-core) rasterised with a random slant, rotation and
// stroke weight, then passed through the same MNIST preprocessing as a drawn digit (src/data/preprocess.ts).

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import opentype, { type Font, type PathCommand } from "opentype.js";
import type { Rng } from "../core/rng.js";
import type { Dataset } from "./dataset.js";
import { grayImage, type GrayImage } from "./image.js";
import { toMnistInput } from "./preprocess.js";

/** Where fonts-dejavu-core installs its fonts. */
export const DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu";
/** The six fonts of fonts-dejavu-core. */
export const LETTER_FONTS = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"];

export interface LetterFonts {
  dir: string;
  fonts: { file: string; font: Font }[];
}

/** The fonts in `dir`, or null when none of them is there (the caller says "skipped"). */
export async function loadLetterFonts(dir = DEJAVU_DIR): Promise<LetterFonts | null> {
  const present = LETTER_FONTS.filter((f) => existsSync(path.join(dir, f)));
  if (!present.length) return null;
  const fonts = await Promise.all(
    present.map(async (file) => {
      const bytes = await readFile(path.join(dir, file));
      return { file, font: opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer) };
    }),
  );
  return { dir, fonts };
}

/** Flattens a glyph outline into closed polygons (quadratic and cubic pieces cut into 8 lines each). */
function polygons(commands: PathCommand[]): [number, number][][] {
  const out: [number, number][][] = [];
  let poly: [number, number][] = [];
  let [px, py] = [0, 0];
  for (const c of commands) {
    if (c.type === "M") {
      if (poly.length > 2) out.push(poly);
      poly = [[c.x, c.y]];
    } else if (c.type === "L") {
      poly.push([c.x, c.y]);
    } else if (c.type === "Q") {
      for (let s = 1; s <= 8; s++) {
        const t = s / 8;
        const u = 1 - t;
        poly.push([u * u * px + 2 * u * t * c.x1 + t * t * c.x, u * u * py + 2 * u * t * c.y1 + t * t * c.y]);
      }
    } else if (c.type === "C") {
      for (let s = 1; s <= 8; s++) {
        const t = s / 8;
        const u = 1 - t;
        poly.push([
          u * u * u * px + 3 * u * u * t * c.x1 + 3 * u * t * t * c.x2 + t * t * t * c.x,
          u * u * u * py + 3 * u * u * t * c.y1 + 3 * u * t * t * c.y2 + t * t * t * c.y,
        ]);
      }
    }
    if (c.type !== "Z") [px, py] = [c.x, c.y];
  }
  if (poly.length > 2) out.push(poly);
  return out;
}

/** Flattened outlines by font and character (40 px per em), drawn again for every sample. */
const outlines = new WeakMap<Font, Map<string, [number, number][][]>>();

/** Canvas side the glyph is drawn on before the MNIST preprocessing shrinks it. */
const CANVAS = 56;
/** Samples per pixel side (4 × 4 per pixel) for anti-aliased edges. */
const SUPER = 4;

/**
 * How much of each canvas pixel the polygons cover (non-zero winding rule), from 4 × 4 samples per
 * pixel: each row of samples is a scanline whose edge crossings, sorted, give the spans inside.
 */
function coverage(polys: [number, number][][]): Float32Array {
  const pixels = new Float32Array(CANVAS * CANVAS);
  const crossings: { x: number; dir: number }[] = [];
  for (let row = 0; row < CANVAS * SUPER; row++) {
    const y = (row + 0.5) / SUPER;
    crossings.length = 0;
    for (const poly of polys) {
      for (let i = 0; i < poly.length; i++) {
        const [x0, y0] = poly[i];
        const [x1, y1] = poly[(i + 1) % poly.length];
        if ((y0 <= y && y1 > y) || (y1 <= y && y0 > y)) crossings.push({ x: x0 + ((y - y0) / (y1 - y0)) * (x1 - x0), dir: y1 > y0 ? 1 : -1 });
      }
    }
    crossings.sort((a, b) => a.x - b.x);
    let wind = 0;
    for (let i = 0; i < crossings.length - 1; i++) {
      wind += crossings[i].dir;
      if (wind === 0) continue;
      // sample columns whose centres (j + 0.5) / SUPER lie in [x_i, x_i+1)
      const first = Math.max(0, Math.ceil(crossings[i].x * SUPER - 0.5));
      const last = Math.min(CANVAS * SUPER - 1, Math.ceil(crossings[i + 1].x * SUPER - 0.5) - 1);
      const base = Math.floor(row / SUPER) * CANVAS;
      for (let j = first; j <= last; j++) pixels[base + Math.floor(j / SUPER)] += 1 / (SUPER * SUPER);
    }
  }
  return pixels;
}

/**
 * `ch` in `font` as white ink on black, on a 56×56 canvas: ~40 px em, slanted by up to ±0.3, rotated by
 * up to ±12°, with the stroke thickened or thinned by up to a pixel (a dilation / erosion of the coverage).
 */
export function rasterizeLetter(font: Font, ch: string, rng: Rng): GrayImage {
  let cached = outlines.get(font);
  if (!cached) outlines.set(font, (cached = new Map()));
  let polys = cached.get(ch);
  if (!polys) cached.set(ch, (polys = polygons(font.charToGlyph(ch).getPath(0, 0, 40).commands)));
  // centre the outline's bounding box, then slant and rotate about the centre
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of polys) for (const [x, y] of p) [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
  const [cx, cy] = [(minX + maxX) / 2, (minY + maxY) / 2];
  const shear = rng.uniform(-0.3, 0.3);
  const angle = (rng.uniform(-12, 12) * Math.PI) / 180;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const moved = polys.map((p) =>
    p.map(([x, y]): [number, number] => {
      const [sx, sy] = [x - cx + shear * (y - cy), y - cy];
      return [CANVAS / 2 + cos * sx - sin * sy, CANVAS / 2 + sin * sx + cos * sy];
    }),
  );
  const pixels = coverage(moved);
  // stroke weight: max (dilate) or min (erode) over the 3×3 neighbourhood, blended by a random amount
  const weight = rng.uniform(-1, 1);
  const out = new Float32Array(pixels.length);
  for (let y = 0; y < CANVAS; y++) {
    for (let x = 0; x < CANVAS; x++) {
      let [lo, hi] = [1, 0];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const v = pixels[Math.min(CANVAS - 1, Math.max(0, y + dy)) * CANVAS + Math.min(CANVAS - 1, Math.max(0, x + dx))];
          [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
        }
      }
      const v = pixels[y * CANVAS + x];
      out[y * CANVAS + x] = weight >= 0 ? v + weight * (hi - v) : v + -weight * (lo - v);
    }
  }
  return grayImage(CANVAS, CANVAS, out);
}

/** One letter through MNIST's preprocessing, like a drawn digit: 784 values in [0, 1]. */
export function letterImage(fonts: LetterFonts, ch: string, rng: Rng): Float32Array {
  const { font } = fonts.fonts[Math.floor(rng.uniform(0, fonts.fonts.length))];
  return toMnistInput(rasterizeLetter(font, ch, rng), { name: `letter ${ch}` }).input;
}

/** `count` letter images cycling through the characters of `letters`, as a dataset labelled `label`. */
export function letterSet(fonts: LetterFonts, letters: string, count: number, rng: Rng, label: number): Dataset {
  const images = new Float32Array(count * 784);
  for (let i = 0; i < count; i++) images.set(letterImage(fonts, letters[i % letters.length], rng), i * 784);
  return { images, labels: new Uint8Array(count).fill(label), count, rows: 28, cols: 28 };
}
