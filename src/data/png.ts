// PNG in and out for the data layer: decode any PNG (any bit depth; gray, RGB, palette, with or without
// alpha) to grayscale in [0, 1], read a digit picture as an MNIST input, and write 8-bit grayscale PNGs.

import { PNG } from "pngjs";
import { NnlabError } from "../core/errors.js";
import { readFileBytes } from "./files.js";
import { grayImage, type GrayImage } from "./image.js";
import { toMnistInput, type MnistInput, type MnistInputOptions } from "./preprocess.js";

/** Widest or tallest PNG accepted, in pixels. */
export const PNG_MAX_SIDE = 10000;

/** Most pixels accepted in one PNG (decoding needs about 8 bytes per pixel). */
export const PNG_MAX_PIXELS = 50_000_000;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Fields of a PNG's IHDR chunk. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

/**
 * Reads the signature and the IHDR chunk from the first 33 bytes, and checks the size is sane, before any
 * pixel is decoded. Throws an {@link NnlabError} naming `name` otherwise.
 */
export function readPngHeader(bytes: Uint8Array, name: string): PngHeader {
  const notPng = (found: string): NnlabError =>
    NnlabError.problem({ subject: name, expected: "a PNG image", found, fix: "Save or export the picture as PNG." });
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw notPng(bytes.length < 8 ? `only ${bytes.length} bytes` : "data without the PNG signature");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = bytes.length >= 16 ? String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) : "";
  if (bytes.length < 33 || type !== "IHDR" || view.getUint32(8, false) !== 13) {
    throw notPng(bytes.length < 33 ? `a truncated file of ${bytes.length} bytes` : "a PNG signature without an IHDR header chunk");
  }
  const header = { width: view.getUint32(16, false), height: view.getUint32(20, false), bitDepth: bytes[24], colorType: bytes[25] };
  const { width, height } = header;
  if (width < 1 || height < 1 || width > PNG_MAX_SIDE || height > PNG_MAX_SIDE || width * height > PNG_MAX_PIXELS) {
    throw NnlabError.problem({
      subject: name,
      expected: `a PNG of 1 to ${PNG_MAX_SIDE} pixels a side and at most ${PNG_MAX_PIXELS} pixels`,
      found: `${width}×${height}`,
      fix: "Scale the picture down (a digit needs only a few hundred pixels a side).",
    });
  }
  return header;
}

/**
 * Decodes PNG bytes to grayscale in [0, 1] (0 black, 1 white): luminance 0.299 R + 0.587 G + 0.114 B
 * (ITU-R BT.601, as most image tools convert to gray), with transparency composited onto white.
 * Throws an {@link NnlabError} naming `name` for data that is not a PNG, is corrupt or is too large.
 */
export function decodePng(bytes: Uint8Array, name: string): GrayImage {
  readPngHeader(bytes, name);
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    const e = NnlabError.problem({
      subject: name,
      expected: "a valid PNG image",
      found: `corrupt or truncated PNG data (${err instanceof Error ? err.message : String(err)})`,
      fix: "Save or export the picture as PNG again.",
    });
    e.cause = err;
    throw e;
  }
  // pngjs hands back 8-bit RGBA whatever the source format (16-bit is rescaled, palettes expanded).
  const { width, height, data } = png;
  const out = grayImage(width, height);
  for (let i = 0; i < width * height; i++) {
    const luma = 0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2];
    const alpha = data[4 * i + 3] / 255;
    out.pixels[i] = (alpha * luma) / 255 + (1 - alpha);
  }
  return out;
}

/** Reads and decodes a PNG file to grayscale ({@link decodePng}); errors name `path`. */
export async function readPng(path: string): Promise<GrayImage> {
  const bytes = await readFileBytes(path, { what: "a PNG image", fix: "Check the path to the picture." });
  return decodePng(bytes, path);
}

/**
 * Reads a PNG picture of a handwritten digit (either polarity) and turns it into a 28×28 MNIST input,
 * with every intermediate step ({@link toMnistInput}). Errors, including "no ink", name `path`.
 */
export async function readPngDigit(path: string, options: MnistInputOptions = {}): Promise<MnistInput> {
  const img = await readPng(path);
  return toMnistInput(img, { name: path, ...options });
}

/**
 * Encodes `width × height` gray values (0 black .. 1 white, clamped, rounded to 8 bits) as an 8-bit
 * grayscale PNG, for figures and test pictures.
 */
export function encodePng(gray: Float32Array, width: number, height: number): Uint8Array {
  grayImage(width, height, gray); // checks sizes
  const bytes = Buffer.alloc(width * height);
  for (let i = 0; i < bytes.length; i++) {
    const v = gray[i];
    bytes[i] = Number.isNaN(v) ? 0 : Math.round(Math.min(1, Math.max(0, v)) * 255);
  }
  const png = new PNG();
  png.width = width;
  png.height = height;
  png.data = bytes;
  const file = PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8 });
  return new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
}
