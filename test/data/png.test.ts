// PNG decoding of every colour type, damaged files, and the whole path from a picture of a real MNIST
// digit on paper, written as a PNG file, back to a 28×28 input close to the original.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { grayImage, resize } from "../../src/data/image.js";
import { loadMnist, type Dataset } from "../../src/data/mnist.js";
import { decodePng, encodePng, readPngDigit } from "../../src/data/png.js";
import { centerOfMass } from "../../src/data/preprocess.js";
import { assertNnlabError, correlation, pngChunk, tempDir } from "./helpers.js";

/** Writes an RGBA pixel callback as a PNG of the given pngjs colour type (2 = RGB, 6 = RGBA, 0 = gray). */
function pngjsFile(width: number, height: number, colorType: 0 | 2 | 4 | 6, pixel: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) png.data.set(pixel(x, y), 4 * (y * width + x));
  }
  return PNG.sync.write(png, { colorType, inputHasAlpha: true });
}

const chunk = pngChunk;

/** A PNG built by hand from its header fields and the bytes of its one IDAT chunk (plus chunks before it). */
function handPng(width: number, height: number, bitDepth: number, colorType: number, idat: Uint8Array, before: Uint8Array[] = []): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  return Buffer.concat([signature, chunk("IHDR", ihdr), ...before, chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))]);
}

/** A 1-bit palette PNG built by hand (pngjs cannot write palettes): `bits[y][x]` picks palette entry 0 or 1. */
function palettePng(bits: number[][], palette: [number, number, number][]): Uint8Array {
  const height = bits.length;
  const width = bits[0].length;
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([1, 3, 0, 0, 0], 8); // bit depth 1, colour type 3 (palette)
  const rowBytes = Math.ceil(width / 8);
  const raw = new Uint8Array(height * (1 + rowBytes)); // each row: filter byte 0, then packed bits
  bits.forEach((row, y) => row.forEach((b, x) => (raw[y * (1 + rowBytes) + 1 + (x >> 3)] |= b << (7 - (x & 7)))));
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    chunk("PLTE", Uint8Array.from(palette.flat())),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ];
  return Buffer.concat(parts);
}

describe("decodePng colour types", () => {
  it("round-trips 8-bit grayscale through encodePng", () => {
    const values = Float32Array.from({ length: 12 }, (_, i) => i / 11);
    const img = decodePng(encodePng(values, 4, 3), "gray.png");
    assert.deepEqual([img.width, img.height], [4, 3]);
    for (let i = 0; i < 12; i++) assert.ok(Math.abs(img.pixels[i] - values[i]) <= 0.5 / 255 + 1e-6);
  });

  it("converts RGB to BT.601 luminance", () => {
    const bytes = pngjsFile(2, 1, 2, (x) => (x === 0 ? [255, 0, 0, 255] : [20, 40, 200, 255]));
    const img = decodePng(bytes, "rgb.png");
    assert.ok(Math.abs(img.pixels[0] - 0.299) < 1e-6);
    assert.ok(Math.abs(img.pixels[1] - (0.299 * 20 + 0.587 * 40 + 0.114 * 200) / 255) < 1e-6);
  });

  it("composites RGBA onto white (a transparent canvas with black ink)", () => {
    const bytes = pngjsFile(3, 1, 6, (x) => [0, 0, 0, [0, 128, 255][x]]);
    const img = decodePng(bytes, "rgba.png");
    assert.ok(Math.abs(img.pixels[0] - 1) < 1e-6);
    assert.ok(Math.abs(img.pixels[1] - (1 - 128 / 255)) < 1e-6);
    assert.ok(Math.abs(img.pixels[2]) < 1e-6);
  });

  it("reads 1-bit palette images", () => {
    const bytes = palettePng([[0, 1, 0], [1, 1, 1]], [[255, 255, 255], [0, 0, 128]]);
    const img = decodePng(bytes, "palette.png");
    const ink = (0.114 * 128) / 255;
    assert.deepEqual(Array.from(img.pixels, (v) => Math.round(v * 1000) / 1000), [1, ink, 1, ink, ink, ink].map((v) => Math.round(v * 1000) / 1000));
  });

  it("reads 16-bit grayscale images", () => {
    const png = new PNG({ width: 2, height: 1 });
    png.data = Buffer.alloc(2 * 4 * 2);
    const words = new Uint16Array(png.data.buffer, png.data.byteOffset, 8);
    words.set([65535, 65535, 65535, 65535, 0x8000, 0x8000, 0x8000, 65535]);
    const bytes = PNG.sync.write(png, { colorType: 0, bitDepth: 16, inputHasAlpha: true });
    assert.equal(bytes[24], 16, "bit depth in IHDR");
    const img = decodePng(bytes, "deep.png");
    assert.equal(img.pixels[0], 1);
    assert.ok(Math.abs(img.pixels[1] - 0.5) < 0.01);
  });
});

describe("damaged or unsuitable PNGs", () => {
  const good = encodePng(new Float32Array(64).fill(0.5), 8, 8);

  it("refuses data that is not a PNG, naming it", async () => {
    await assertNnlabError(() => decodePng(new TextEncoder().encode("hello, I am text"), "notes.png"), "notes.png", "PNG signature");
    await assertNnlabError(() => decodePng(new Uint8Array(3), "empty.png"), "empty.png", "3 bytes");
  });

  it("refuses truncated and corrupted PNGs, naming them", async () => {
    await assertNnlabError(() => decodePng(good.subarray(0, 20), "cut-header.png"), "cut-header.png", "truncated");
    await assertNnlabError(() => decodePng(good.subarray(0, good.length - 20), "cut.png"), "cut.png", "corrupt or truncated");
    const flipped = good.slice();
    flipped[good.length - 20] ^= 0xff; // inside the IDAT data: CRC mismatch
    await assertNnlabError(() => decodePng(flipped, "flipped.png"), "flipped.png", "corrupt");
  });

  it("refuses a tiny file whose header claims a huge picture (7071×7071 16-bit RGBA in 66 bytes)", async () => {
    const bytes = handPng(7071, 7071, 16, 6, deflateSync(new Uint8Array(9)));
    assert.ok(bytes.length < 80, `${bytes.length} bytes`);
    await assertNnlabError(() => decodePng(bytes, "bomb.png"), "bomb.png", "7071×7071", "at most 25,000,000 pixels", "Scale the picture down");
  });

  it("refuses compressed data that cannot fill the size the header claims", async () => {
    // 4000×4000 gray needs 16 MB of pixel data; 20 bytes of deflate can give at most ~20 kB.
    const tiny = handPng(4000, 4000, 8, 0, deflateSync(new Uint8Array(10)));
    await assertNnlabError(() => decodePng(tiny, "claims.png"), "claims.png", "compressed data", "cannot hold", "4000×4000");
    // Honest compression, but only 3 of the 8 rows: pngjs would zero-fill the rest.
    const rows = new Uint8Array(3 * (1 + 8)).fill(0x80);
    for (let y = 0; y < 3; y++) rows[y * 9] = 0; // filter byte
    const short = handPng(8, 8, 8, 0, deflateSync(rows));
    await assertNnlabError(() => decodePng(short, "short.png"), "short.png", "27 of the 72 bytes", "8×8");
    // The same rows complete decode fine.
    const full = new Uint8Array(8 * 9).fill(0x80);
    for (let y = 0; y < 8; y++) full[y * 9] = 0;
    assert.equal(decodePng(handPng(8, 8, 8, 0, deflateSync(full)), "full.png").pixels.length, 64);
  });

  it("says what is wrong in its own words, not the decoder's", async () => {
    const rows = new Uint8Array(2 * 3).fill(7); // filter byte 7 does not exist
    await assertNnlabError(() => decodePng(handPng(2, 2, 8, 0, deflateSync(rows)), "filter.png"), "filter.png", "unknown filter type");
    await assertNnlabError(() => decodePng(handPng(2, 2, 3, 0, deflateSync(rows)), "depth.png"), "depth.png", "bit depth 3 for colour type 0");
    await assertNnlabError(() => decodePng(handPng(2, 2, 8, 5, deflateSync(rows)), "type.png"), "type.png", "colour type 5");
    const noPalette = handPng(2, 2, 8, 3, deflateSync(new Uint8Array(6)));
    await assertNnlabError(() => decodePng(noPalette, "palette.png"), "palette.png", "without its palette");
    const flipped = good.slice();
    flipped[good.length - 20] ^= 0xff; // inside the IDAT data: the chunk's checksum no longer matches
    await assert.rejects(async () => decodePng(flipped, "crc.png"), (err: Error) => {
      assert.match(err.message, /crc\.png.*(checksum|damaged)/);
      assert.doesNotMatch(err.message, /Crc error/);
      return true;
    });
  });

  it("refuses absurd sizes from the header, before decoding", async () => {
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(16, 100000); // IHDR width
    await assertNnlabError(() => decodePng(huge, "huge.png"), "huge.png", "100000×8");
  });
});

describe("readPngDigit on real MNIST digits drawn on paper", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  let test: Dataset;
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    ({ test } = await loadMnist());
  });
  after(() => cleanup());

  /**
   * Digit k of the test set enlarged `scale`× (nearest neighbour, or bilinear when `smooth`, sampled
   * independently of src/data's resize), dark ink on white unless `light`, off-centre in a 140×100 page.
   */
  function paperPicture(k: number, options: { scale?: number; smooth?: boolean; light?: boolean } = {}): Float32Array {
    const { scale = 3, smooth = false, light = false } = options;
    const width = 140;
    const side = Math.round(28 * scale);
    const page = new Float32Array(width * 100).fill(light ? 0 : 1);
    const at = (x: number, y: number): number =>
      x < 0 || y < 0 || x > 27 || y > 27 ? 0 : test.images[k * 784 + y * 28 + x];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        let v: number;
        if (smooth) {
          const sx = (x + 0.5) / scale - 0.5;
          const sy = (y + 0.5) / scale - 0.5;
          const x0 = Math.floor(sx);
          const y0 = Math.floor(sy);
          const tx = sx - x0;
          const ty = sy - y0;
          v = (1 - ty) * ((1 - tx) * at(x0, y0) + tx * at(x0 + 1, y0)) + ty * ((1 - tx) * at(x0, y0 + 1) + tx * at(x0 + 1, y0 + 1));
        } else {
          v = at(Math.floor(x / scale), Math.floor(y / scale));
        }
        page[(7 + y) * width + 47 + x] = light ? v : 1 - v;
      }
    }
    return page;
  }

  /** Writes the page as a PNG file, reads it back as a digit, and returns the correlation with the original. */
  async function roundTrip(k: number, page: Float32Array, file: string): Promise<number> {
    const path = join(dir, file);
    await writeFile(path, encodePng(page, 140, 100));
    const result = await readPngDigit(path);
    assert.equal(result.inverted, true);
    assert.deepEqual([result.normalized.width, result.normalized.height], [140, 100]);
    const com = centerOfMass(result.centered28);
    assert.ok(com && Math.abs(com.x - 14) <= 1 && Math.abs(com.y - 14) <= 1, `${file}: centre of mass ${JSON.stringify(com)}`);
    return correlation(result.input, test.images.subarray(k * 784, (k + 1) * 784));
  }

  it("gives back the original 28×28 digit from a 3× enlargement on paper", async () => {
    for (let k = 0; k < 30; k++) {
      const r = await roundTrip(k, paperPicture(k), `digit-${k}.png`);
      assert.ok(r > 0.99, `digit ${k} (label ${test.labels[k]}): correlation ${r.toFixed(3)}`);
    }
  });

  it("comes close to the original from a smooth 3.1× enlargement (correlation > 0.85 on average)", async () => {
    let total = 0;
    for (let k = 0; k < 30; k++) {
      const r = await roundTrip(k, paperPicture(k, { scale: 3.1, smooth: true }), `smooth-${k}.png`);
      assert.ok(r > 0.6, `digit ${k} (label ${test.labels[k]}): correlation ${r.toFixed(3)}`);
      total += r;
    }
    assert.ok(total / 30 > 0.85, `mean correlation ${(total / 30).toFixed(3)}`);
  });

  it("does not invert light ink on a dark background", async () => {
    const path = join(dir, "light.png");
    await writeFile(path, encodePng(paperPicture(3, { light: true, smooth: true }), 140, 100));
    const result = await readPngDigit(path);
    assert.equal(result.inverted, false);
    assert.ok(correlation(result.input, test.images.subarray(3 * 784, 4 * 784)) > 0.8);
  });

  it("reads a tiny RGBA drawing (transparent background) and enlarges it to 20 px", async () => {
    const digit = grayImage(28, 28, test.images.slice(0, 784));
    const small = resize(digit, 14, 14);
    const bytes = pngjsFile(14, 14, 6, (x, y) => [0, 0, 0, Math.round(small.pixels[y * 14 + x] * 255)]);
    const path = join(dir, "tiny-rgba.png");
    await writeFile(path, bytes);
    const result = await readPngDigit(path);
    assert.equal(result.inverted, true);
    assert.equal(Math.max(result.scaled20.width, result.scaled20.height), 20);
    assert.ok(correlation(result.input, digit.pixels) > 0.7);
  });

  it("says 'no ink' for a blank page, naming the file", async () => {
    const path = join(dir, "blank.png");
    await writeFile(path, encodePng(new Float32Array(140 * 100).fill(1), 140, 100));
    await assertNnlabError(() => readPngDigit(path), path, "no ink");
  });

  it("names a corrupt or missing file", async () => {
    const path = join(dir, "corrupt.png");
    const bytes = encodePng(paperPicture(0), 140, 100);
    await writeFile(path, bytes.subarray(0, bytes.length >> 1));
    await assertNnlabError(() => readPngDigit(path), path, "corrupt or truncated");
    await assertNnlabError(() => readPngDigit(join(dir, "missing.png")), join(dir, "missing.png"), "no such file");
  });
});
