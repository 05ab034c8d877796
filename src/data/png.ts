// PNG in and out for the data layer: decode any PNG (any bit depth; gray, RGB, palette, with or without
// alpha) to grayscale in [0, 1], read a digit picture as an MNIST input, and write 8-bit grayscale PNGs.

import { inflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { NnlabError } from "../core/errors.js";
import { readFileBytes } from "./files.js";
import { grayImage, type GrayImage } from "./image.js";
import { toMnistInput, type MnistInput, type MnistInputOptions } from "./preprocess.js";

/** Widest or tallest PNG accepted, in pixels. */
export const PNG_MAX_SIDE = 10000;

/**
 * Most pixels accepted in one PNG: 25 megapixels (a 6000×4000 photo fits). Decoding needs about 12 bytes
 * a pixel (pngjs's RGBA plus our float gray), so this caps one picture at about 300 MB.
 */
export const PNG_MAX_PIXELS = 25_000_000;

/** Deflate never packs more than this many bytes of output into one byte of input (RFC 1951, 258/2 bits). */
const DEFLATE_MAX_RATIO = 1032;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Samples per pixel of each PNG colour type (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Bit depths the PNG specification allows for each colour type. */
const DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

/** The seven Adam7 passes: first column, first row, column step, row step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** Fields of a PNG's IHDR chunk. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** 0 none, 1 Adam7. */
  interlace: number;
}

function corrupt(name: string, found: string, cause?: unknown): NnlabError {
  const e = NnlabError.problem({ subject: name, expected: "a valid PNG image", found: `corrupt or truncated PNG data (${found})`, fix: "Save or export the picture as PNG again." });
  if (cause !== undefined) e.cause = cause;
  return e;
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
  const header = { width: view.getUint32(16, false), height: view.getUint32(20, false), bitDepth: bytes[24], colorType: bytes[25], interlace: bytes[28] };
  const { width, height, bitDepth, colorType } = header;
  if (width < 1 || height < 1 || width > PNG_MAX_SIDE || height > PNG_MAX_SIDE || width * height > PNG_MAX_PIXELS) {
    throw NnlabError.problem({
      subject: name,
      expected: `a PNG of 1 to ${PNG_MAX_SIDE} pixels a side and at most ${PNG_MAX_PIXELS.toLocaleString("en-US")} pixels`,
      found: `${width}×${height}${width * height > PNG_MAX_PIXELS ? ` (${(width * height).toLocaleString("en-US")} pixels)` : ""}`,
      fix: "Scale the picture down (a digit needs only a few hundred pixels a side).",
    });
  }
  if (!(colorType in CHANNELS)) throw corrupt(name, `colour type ${colorType} in the header; PNG defines 0, 2, 3, 4 and 6`);
  if (!DEPTHS[colorType].includes(bitDepth)) {
    throw corrupt(name, `bit depth ${bitDepth} for colour type ${colorType}; PNG allows ${DEPTHS[colorType].join(", ")}`);
  }
  if (bytes[26] !== 0 || bytes[27] !== 0) throw corrupt(name, `compression method ${bytes[26]}, filter method ${bytes[27]}; PNG defines only 0`);
  if (header.interlace > 1) throw corrupt(name, `interlace method ${header.interlace}; PNG defines 0 and 1`);
  return header;
}

/** Bytes the decompressed pixel data of `header` must hold: each row (of each Adam7 pass) is a filter byte and its packed samples. */
export function pngRawSize(header: PngHeader): number {
  const bitsPerPixel = CHANNELS[header.colorType] * header.bitDepth;
  const rows = (w: number, h: number): number => (w > 0 && h > 0 ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (header.interlace === 0) return rows(header.width, header.height);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) total += rows(Math.ceil((header.width - x0) / dx), Math.ceil((header.height - y0) / dy));
  return total;
}

/**
 * Walks the chunks after the header and gathers the compressed pixel data (IDAT), checking that every
 * chunk fits in the file. Checksums and the order of ancillary chunks are left to pngjs.
 */
function compressedPixels(bytes: Uint8Array, name: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let at = 8;
  for (;;) {
    if (at + 8 > bytes.length) throw corrupt(name, `the file ends after ${bytes.length} bytes without an IEND chunk`);
    const length = view.getUint32(at, false);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    const printable = /^[A-Za-z]{4}$/.test(type) ? type : "of an unknown type";
    if (at + 12 + length > bytes.length) {
      throw corrupt(name, `a chunk ${printable} at byte ${at} claims ${length} bytes but only ${Math.max(0, bytes.length - at - 12)} follow`);
    }
    if (type === "IDAT") parts.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
    if (type === "IEND") break;
  }
  if (parts.length === 0) throw corrupt(name, "no pixel data (IDAT chunk)");
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * Checks that the compressed pixel data really holds the `width × height` pixels the header claims,
 * so a tiny file cannot make us allocate (and zero-fill) a huge picture. First a bound that needs no
 * decompression (deflate packs at most 1032 bytes into one), then the exact decompressed size, capped
 * at what the header needs.
 */
function checkPixelData(bytes: Uint8Array, header: PngHeader, name: string): void {
  const idat = compressedPixels(bytes, name);
  const needed = pngRawSize(header);
  const claim = `${header.width}×${header.height} pixels (${needed.toLocaleString("en-US")} bytes of pixel data)`;
  if (idat.length * DEFLATE_MAX_RATIO < needed) {
    throw corrupt(name, `${idat.length.toLocaleString("en-US")} bytes of compressed data, which cannot hold the ${claim} the header claims`);
  }
  let raw: Buffer;
  try {
    raw = inflateSync(idat, { maxOutputLength: needed });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return; // more than needed: pngjs ignores the rest
    throw corrupt(name, "the compressed pixel data is damaged", err);
  }
  if (raw.length < needed) {
    throw corrupt(name, `pixel data for ${raw.length.toLocaleString("en-US")} of the ${needed.toLocaleString("en-US")} bytes that ${header.width}×${header.height} pixels need`);
  }
}

/** pngjs's error messages, in our words (the original stays the error's cause). */
const PNGJS_WORDS: readonly [RegExp, string][] = [
  [/^Crc error/i, "a damaged chunk (its checksum does not match)"],
  [/not in palette/i, "a pixel whose colour index is not in the palette"],
  [/Expected palette not found/i, "a palette image without its palette (PLTE chunk)"],
  [/Transparency chunk must be after palette|More transparent colors than palette size/i, "a transparency chunk (tRNS) that does not fit the palette"],
  [/Unrecognised filter type|unrecognised filter/i, "a row with an unknown filter type"],
  [/Unsupported critical chunk type (\S+)/i, "an unknown critical chunk $1"],
  [/There should be only one IHDR|Expected IHDR on beggining/i, "a misplaced or repeated header chunk (IHDR)"],
  [/Unexpected end of input|Ran out of data/i, "data that ends too early"],
  [/extra data found|unrecognised content at end of stream/i, "more pixel data than the picture needs"],
  [/invalid (compressed|inflate) data|incorrect header check|invalid (block|distance|code)/i, "damaged compressed pixel data"],
];

function pngjsProblem(err: unknown, name: string): NnlabError {
  const message = err instanceof Error ? err.message : String(err);
  for (const [pattern, words] of PNGJS_WORDS) {
    const m = pattern.exec(message);
    if (m) return corrupt(name, words.replace("$1", m[1] ?? ""), err);
  }
  return corrupt(name, `the PNG decoder says: ${message.split("\n")[0]}`, err);
}

/**
 * Decodes PNG bytes to grayscale in [0, 1] (0 black, 1 white): luminance 0.299 R + 0.587 G + 0.114 B
 * (ITU-R BT.601, as most image tools convert to gray), with transparency composited onto white.
 * Throws an {@link NnlabError} naming `name` for data that is not a PNG, is corrupt, is too large, or
 * claims more pixels than its compressed data holds.
 */
export function decodePng(bytes: Uint8Array, name: string): GrayImage {
  const header = readPngHeader(bytes, name);
  checkPixelData(bytes, header, name);
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw pngjsProblem(err, name);
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
