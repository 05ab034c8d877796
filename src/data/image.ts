// Grayscale images as plain Float32Arrays, and resampling: area averaging (a box filter) when an axis
// shrinks, bilinear interpolation when it grows, applied one axis at a time.

import { NnlabError } from "../core/errors.js";

/** A grayscale image: `width * height` values, row after row (index `y * width + x`). */
export interface GrayImage {
  width: number;
  height: number;
  /** Values, usually in [0, 1]. */
  pixels: Float32Array;
}

/**
 * Makes a {@link GrayImage}, checking that the sizes are positive integers and that `pixels` (zeros when
 * omitted) holds exactly `width * height` values.
 */
export function grayImage(width: number, height: number, pixels?: Float32Array): GrayImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw NnlabError.problem({ subject: "image size", expected: "positive integer width and height", found: `${width}×${height}` });
  }
  const data = pixels ?? new Float32Array(width * height);
  if (data.length !== width * height) {
    throw NnlabError.problem({
      subject: "image pixels",
      expected: `${width * height} values for ${width}×${height}`,
      found: `${data.length}`,
    });
  }
  return { width, height, pixels: data };
}

/** One output sample along an axis: a weighted sum of input samples `first .. first + weights.length - 1`. */
interface Tap {
  first: number;
  weights: Float32Array;
}

/**
 * The taps that resample an axis of `n` samples to `m` samples. Shrinking: output `i` is the average of
 * the input over `[i*n/m, (i+1)*n/m)` (each input pixel weighted by how much of it the interval covers).
 * Growing or equal: bilinear, sampling at `(i + 0.5) * n / m - 0.5`, clamped to the edges.
 */
function axisTaps(n: number, m: number): Tap[] {
  const taps: Tap[] = [];
  const scale = n / m;
  for (let i = 0; i < m; i++) {
    if (m < n) {
      const a = i * scale;
      const b = (i + 1) * scale;
      const first = Math.floor(a);
      const last = Math.min(n - 1, Math.ceil(b) - 1);
      const weights = new Float32Array(last - first + 1);
      for (let j = first; j <= last; j++) weights[j - first] = (Math.min(b, j + 1) - Math.max(a, j)) / scale;
      taps.push({ first, weights });
    } else {
      const s = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), n - 1);
      const first = Math.floor(s);
      const t = s - first;
      taps.push(first + 1 < n ? { first, weights: Float32Array.of(1 - t, t) } : { first, weights: Float32Array.of(1) });
    }
  }
  return taps;
}

/**
 * Resamples `img` to `width × height`: area averaging along an axis that shrinks (so thin strokes fade
 * instead of vanishing, as when MNIST was anti-aliased) and bilinear along an axis that grows.
 */
export function resize(img: GrayImage, width: number, height: number): GrayImage {
  const out = grayImage(width, height);
  const xTaps = axisTaps(img.width, width);
  const yTaps = axisTaps(img.height, height);
  // Pass 1, along x: (img.height, img.width) -> (img.height, width).
  const mid = new Float32Array(img.height * width);
  for (let y = 0; y < img.height; y++) {
    const row = y * img.width;
    for (let x = 0; x < width; x++) {
      const { first, weights } = xTaps[x];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * img.pixels[row + first + k];
      mid[y * width + x] = sum;
    }
  }
  // Pass 2, along y: (img.height, width) -> (height, width).
  for (let y = 0; y < height; y++) {
    const { first, weights } = yTaps[y];
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * mid[(first + k) * width + x];
      out.pixels[y * width + x] = sum;
    }
  }
  return out;
}
