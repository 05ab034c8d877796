// Turns any grayscale picture of a digit into a 28×28 MNIST-style input the way MNIST itself was made:
// bright ink on black, cropped to the ink, scaled to fit 20×20 keeping the aspect ratio, then placed in
// 28×28 with its centre of mass at (14, 14) (LeCun et al., "The MNIST database", section on normalisation).

import { NnlabError } from "../core/errors.js";
import { grayImage, resize, type GrayImage } from "./image.js";

/** Ink must differ from the background by at least this much brightness, or the image counts as blank. */
export const MIN_INK_CONTRAST = 0.1;

/**
 * Default level above which a normalised pixel counts as ink when cropping. Low, because MNIST's 20×20
 * boxes include the faint anti-aliased edge pixels (at 0.05, 99.8% of MNIST digits come back exactly);
 * background noise is already removed by {@link normalizeInk}.
 */
export const DEFAULT_INK_THRESHOLD = 0.05;

/** Result of {@link normalizeInk}. */
export interface InkNormalization {
  /** Ink bright (up to 1) on a black (0) background. */
  image: GrayImage;
  /** Whether the input was dark ink on a light background and got inverted. */
  inverted: boolean;
  /** Background brightness of the input, in the input's own polarity (median of the border pixels). */
  background: number;
}

/** Options for {@link normalizeInk}. */
export interface NormalizeOptions {
  /** Force (true) or forbid (false) inversion; by default it is decided from the border's brightness. */
  invert?: boolean;
}

/** The pixels on the image's outer border, sorted ascending: a sample of the background for a centred subject. */
function borderValues(img: GrayImage): number[] {
  const { width: w, height: h, pixels } = img;
  const values: number[] = [];
  for (let x = 0; x < w; x++) {
    values.push(pixels[x]);
    if (h > 1) values.push(pixels[(h - 1) * w + x]);
  }
  for (let y = 1; y < h - 1; y++) {
    values.push(pixels[y * w]);
    if (w > 1) values.push(pixels[y * w + w - 1]);
  }
  return values.sort((a, b) => a - b);
}

/** The value below which a fraction `q` of the sorted `values` lie (nearest rank). */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/** Median brightness of the pixels on the image's outer border: its background level. */
export function borderMedian(img: GrayImage): number {
  return quantile(borderValues(img), 0.5);
}

/**
 * Step (a): makes the ink bright on a black background. A light border (median above 0.5) means dark ink
 * on paper, so the image is inverted. Then a contrast stretch maps the background to 0 and the brightest
 * ink to 1, so grey paper, uneven light or faint pencil look like MNIST: the black level is the border's
 * 90th percentile in ink polarity, which also swallows the background's noise. An image whose brightest
 * pixel is within {@link MIN_INK_CONTRAST} of that level comes out all zeros.
 */
export function normalizeInk(img: GrayImage, options: NormalizeOptions = {}): InkNormalization {
  const border = borderValues(img);
  const background = quantile(border, 0.5);
  const inverted = options.invert ?? background > 0.5;
  const base = inverted ? 1 - quantile(border, 0.1) : quantile(border, 0.9);
  const n = img.pixels.length;
  const out = grayImage(img.width, img.height);
  let peak = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = inverted ? 1 - img.pixels[i] : img.pixels[i];
    out.pixels[i] = v;
    if (v > peak) peak = v;
  }
  const range = peak - base;
  if (range < MIN_INK_CONTRAST) {
    out.pixels.fill(0);
  } else {
    for (let i = 0; i < n; i++) out.pixels[i] = Math.min(1, Math.max(0, (out.pixels[i] - base) / range));
  }
  return { image: out, inverted, background };
}

/** An axis-aligned box of pixels: columns `x .. x+width-1`, rows `y .. y+height-1`. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest box holding every pixel above `threshold`, or null when there is none. */
export function inkBoundingBox(img: GrayImage, threshold = DEFAULT_INK_THRESHOLD): Box | null {
  let x0 = img.width;
  let y0 = img.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.pixels[y * img.width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Copies the pixels inside `box`. */
export function crop(img: GrayImage, box: Box): GrayImage {
  const out = grayImage(box.width, box.height);
  for (let y = 0; y < box.height; y++) {
    const from = (box.y + y) * img.width + box.x;
    out.pixels.set(img.pixels.subarray(from, from + box.width), y * box.width);
  }
  return out;
}

/**
 * Step (b): crops a normalised image (ink bright) to the bounding box of its ink. Throws an
 * {@link NnlabError} naming `name` when no pixel is above `threshold`.
 */
export function cropToInk(img: GrayImage, threshold = DEFAULT_INK_THRESHOLD, name = "image"): GrayImage {
  const box = inkBoundingBox(img, threshold);
  if (box === null) {
    throw NnlabError.problem({
      subject: name,
      expected: "a digit: ink that stands out from the background",
      found: "no ink (the image is blank or has almost no contrast)",
      fix: "Draw or photograph the digit darker, or on a plainer background.",
    });
  }
  return crop(img, box);
}

/**
 * Step (c): scales so the longer side is `box` pixels (20 for MNIST), keeping the aspect ratio; the
 * shorter side is rounded and at least 1. Shrinking averages areas, growing is bilinear ({@link resize}).
 */
export function scaleToFit(img: GrayImage, box = 20): GrayImage {
  const s = box / Math.max(img.width, img.height);
  const width = Math.max(1, Math.min(box, Math.round(img.width * s)));
  const height = Math.max(1, Math.min(box, Math.round(img.height * s)));
  return resize(img, width, height);
}

/** Centre of mass `(x, y)` in pixel coordinates (pixel `(i, j)` sits at `(i, j)`), or null if all zero. */
export function centerOfMass(img: GrayImage): { x: number; y: number } | null {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const v = img.pixels[y * img.width + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  return mass > 0 ? { x: mx / mass, y: my / mass } : null;
}

/**
 * Step (d): pastes `img` into a black `size × size` frame (28 for MNIST) so that its centre of mass lands
 * on `(size/2, size/2)`, i.e. (14, 14) as in MNIST. The shift is rounded to whole pixels (no resampling)
 * and clamped so the whole image stays inside the frame.
 */
export function centerByMass(img: GrayImage, size = 28): GrayImage {
  if (img.width > size || img.height > size) {
    throw NnlabError.problem({
      subject: "centerByMass",
      expected: `an image at most ${size}×${size}`,
      found: `${img.width}×${img.height}`,
      fix: "Scale it first with scaleToFit.",
    });
  }
  const com = centerOfMass(img) ?? { x: (img.width - 1) / 2, y: (img.height - 1) / 2 };
  const ox = clamp(Math.round(size / 2 - com.x), 0, size - img.width);
  const oy = clamp(Math.round(size / 2 - com.y), 0, size - img.height);
  const out = grayImage(size, size);
  for (let y = 0; y < img.height; y++) {
    out.pixels.set(img.pixels.subarray(y * img.width, (y + 1) * img.width), (oy + y) * size + ox);
  }
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Options for {@link toMnistInput}. */
export interface MnistInputOptions extends NormalizeOptions {
  /** Name used in error messages (e.g. the file path); default "image". */
  name?: string;
  /** Level above which a normalised pixel counts as ink when cropping (default {@link DEFAULT_INK_THRESHOLD}). */
  inkThreshold?: number;
  /** Longer side after scaling (default 20). */
  box?: number;
  /** Side of the final frame (default 28). */
  size?: number;
}

/** Every step of {@link toMnistInput}, so a page can show them one by one. */
export interface MnistInput {
  /** The final `size * size` network input (the pixels of `centered28`). */
  input: Float32Array;
  /** Whether the picture was dark-on-light and got inverted. */
  inverted: boolean;
  /** After step (a): ink bright on black, full size. */
  normalized: GrayImage;
  /** After step (b): cropped to the ink. */
  cropped: GrayImage;
  /** After step (c): longer side 20 px. */
  scaled20: GrayImage;
  /** After step (d): 28×28 with the centre of mass at (14, 14). */
  centered28: GrayImage;
}

/**
 * Runs steps (a)–(d) on a grayscale picture (values in [0, 1], either polarity) and returns the 28×28
 * input with every intermediate image. Throws an {@link NnlabError} ("no ink") for a blank picture.
 */
export function toMnistInput(img: GrayImage, options: MnistInputOptions = {}): MnistInput {
  const { image: normalized, inverted } = normalizeInk(img, options);
  const cropped = cropToInk(normalized, options.inkThreshold ?? DEFAULT_INK_THRESHOLD, options.name ?? "image");
  const scaled20 = scaleToFit(cropped, options.box ?? 20);
  const centered28 = centerByMass(scaled20, options.size ?? 28);
  return { input: centered28.pixels, inverted, normalized, cropped, scaled20, centered28 };
}
