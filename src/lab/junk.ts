// Generated "not a digit" images for the none-class experiment: noise, straight strokes, scribbles
// (smooth random curves) and fragments of real digits, all 28×28 in [0, 1] with ink = 1 like MNIST.

import type { Rng } from "../core/rng.js";
import type { Dataset } from "../data/dataset.js";

export const JUNK_KINDS = ["noise", "strokes", "scribbles", "fragments"] as const;
export type JunkKind = (typeof JUNK_KINDS)[number];

/** Junk kinds an 11-class net trains its "none" output on; scribbles stay held out for the evaluation. */
export const JUNK_TRAIN_KINDS: readonly JunkKind[] = ["noise", "strokes", "fragments"];
export const JUNK_HELD_OUT: JunkKind = "scribbles";

/** Adds a pen line of half-width `r` from (x0, y0) to (x1, y1) into a 28×28 image (max-blend, soft edge). */
function drawSegment(img: Float32Array, x0: number, y0: number, x1: number, y1: number, r: number): void {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy || 1e-9;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / len2));
      const d = Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy));
      const ink = Math.max(0, Math.min(1, r + 0.5 - d));
      if (ink > img[y * 28 + x]) img[y * 28 + x] = ink;
    }
  }
}

/** One junk image of a kind; `digits` supplies the fragments. */
export function junkImage(kind: JunkKind, rng: Rng, digits: Dataset): Float32Array {
  const img = new Float32Array(784);
  const at = () => rng.uniform(3, 25);
  switch (kind) {
    case "noise": {
      const level = rng.uniform(0.2, 1);
      for (let p = 0; p < 784; p++) img[p] = rng.random() * level;
      break;
    }
    case "strokes": {
      const n = 1 + rng.int(3);
      for (let s = 0; s < n; s++) drawSegment(img, at(), at(), at(), at(), rng.uniform(0.7, 1.5));
      break;
    }
    case "scribbles": {
      // a random walk with momentum: a curve that wanders and loops like a careless pen
      let x = at();
      let y = at();
      let heading = rng.uniform(0, 2 * Math.PI);
      let turn = 0;
      const r = rng.uniform(0.7, 1.3);
      for (let s = 0; s < 40; s++) {
        turn = 0.7 * turn + rng.normal(0, 0.35);
        heading += turn;
        const nx = Math.max(2, Math.min(25, x + 1.6 * Math.cos(heading)));
        const ny = Math.max(2, Math.min(25, y + 1.6 * Math.sin(heading)));
        drawSegment(img, x, y, nx, ny, r);
        x = nx;
        y = ny;
      }
      break;
    }
    case "fragments": {
      // one half or one quarter of a real digit; the rest erased
      const i = rng.int(digits.count);
      const src = digits.images.subarray(i * 784, (i + 1) * 784);
      const quarter = rng.random() < 0.5;
      const side = rng.int(4);
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const keep = quarter ? (x < 14) === (side % 2 === 0) && (y < 14) === side < 2 : [x < 14, x >= 14, y < 14, y >= 14][side];
          if (keep) img[y * 28 + x] = src[y * 28 + x];
        }
      }
      break;
    }
  }
  return img;
}

/** `count` junk images, cycling through `kinds`, as a dataset labelled `label`. */
export function junkSet(kinds: readonly JunkKind[], count: number, rng: Rng, digits: Dataset, label: number): Dataset {
  const images = new Float32Array(count * 784);
  for (let i = 0; i < count; i++) images.set(junkImage(kinds[i % kinds.length], rng, digits), i * 784);
  return { images, labels: new Uint8Array(count).fill(label), count, rows: 28, cols: 28 };
}
