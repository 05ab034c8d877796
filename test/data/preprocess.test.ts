// MNIST-style preprocessing, step by step: resampling, polarity, cropping, scaling, centring by mass.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/core/rng.js";
import { grayImage, resize } from "../../src/data/image.js";
import { loadMnist } from "../../src/data/mnist.js";
import {
  centerByMass,
  centerOfMass,
  cropToInk,
  inkBoundingBox,
  normalizeInk,
  scaleToFit,
  toMnistInput,
} from "../../src/data/preprocess.js";
import { assertNnlabError, correlation } from "./helpers.js";

function sum(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

describe("resize", () => {
  it("averages blocks exactly when shrinking by an integer factor", () => {
    const img = grayImage(4, 2, Float32Array.of(0, 1, 1, 1, 0, 0, 0.5, 0.5));
    assert.deepEqual(Array.from(resize(img, 2, 1).pixels), [0.25, 0.75]);
  });

  it("keeps a constant image constant, growing or shrinking, and keeps the mean when shrinking", () => {
    const flat = grayImage(7, 5, new Float32Array(35).fill(0.3));
    for (const [w, h] of [[3, 2], [20, 13], [7, 1]]) {
      for (const v of resize(flat, w, h).pixels) assert.ok(Math.abs(v - 0.3) < 1e-6);
    }
    const ramp = grayImage(9, 6, Float32Array.from({ length: 54 }, (_, i) => (i % 9) / 8));
    const small = resize(ramp, 4, 4);
    assert.ok(Math.abs(sum(small.pixels) / 16 - sum(ramp.pixels) / 54) < 1e-6);
  });

  it("lets a thin stroke fade instead of vanishing when shrinking", () => {
    const img = grayImage(10, 10);
    for (let y = 0; y < 10; y++) img.pixels[y * 10 + 7] = 1; // a 1-px vertical line
    const small = resize(img, 3, 3);
    assert.ok(Math.max(...small.pixels) > 0.25 && Math.max(...small.pixels) < 0.35);
  });

  it("interpolates bilinearly when growing", () => {
    const img = grayImage(2, 1, Float32Array.of(0, 1));
    const big = resize(img, 4, 1);
    assert.deepEqual(Array.from(big.pixels), [0, 0.25, 0.75, 1]);
  });
});

describe("normalizeInk", () => {
  it("inverts dark ink on light paper and stretches grey paper to black", () => {
    const img = grayImage(5, 5, new Float32Array(25).fill(0.8)); // grey paper
    img.pixels[12] = 0.2; // dark ink
    const { image, inverted, background } = normalizeInk(img);
    assert.equal(inverted, true);
    assert.ok(Math.abs(background - 0.8) < 1e-6);
    assert.equal(image.pixels[12], 1);
    assert.equal(image.pixels[0], 0);
  });

  it("leaves light ink on a dark background alone, unless told to invert", () => {
    const img = grayImage(5, 5);
    img.pixels[12] = 0.9;
    const { image, inverted } = normalizeInk(img);
    assert.equal(inverted, false);
    assert.equal(image.pixels[12], 1);
    assert.equal(normalizeInk(img, { invert: true }).inverted, true);
  });

  it("turns a picture without contrast into zeros", () => {
    const img = grayImage(4, 4, new Float32Array(16).fill(0.5));
    img.pixels[5] = 0.45;
    assert.equal(sum(normalizeInk(img).image.pixels), 0);
  });
});

describe("cropping, scaling and centring", () => {
  it("crops to the bounding box of the ink", () => {
    const img = grayImage(6, 5);
    img.pixels[1 * 6 + 2] = 1;
    img.pixels[3 * 6 + 4] = 0.5;
    img.pixels[4 * 6 + 0] = 0.03; // below the threshold
    assert.deepEqual(inkBoundingBox(img), { x: 2, y: 1, width: 3, height: 3 });
    const c = cropToInk(img);
    assert.equal(c.width, 3);
    assert.equal(c.pixels[0], 1);
    assert.equal(c.pixels[8], 0.5);
  });

  it("scales the longer side to 20 keeping the aspect ratio", () => {
    const wide = scaleToFit(grayImage(40, 20, new Float32Array(800).fill(1)));
    assert.deepEqual([wide.width, wide.height], [20, 10]);
    const thin = scaleToFit(grayImage(5, 50, new Float32Array(250).fill(1)));
    assert.deepEqual([thin.width, thin.height], [2, 20]);
    const tiny = scaleToFit(grayImage(3, 2, new Float32Array(6).fill(1)));
    assert.deepEqual([tiny.width, tiny.height], [20, 13]);
  });

  it("puts the centre of mass within half a pixel of (14, 14)", () => {
    const img = grayImage(20, 12);
    img.pixels[0] = 1; // mass piled in the top-left corner
    img.pixels[1] = 1;
    img.pixels[20] = 1;
    img.pixels[11 * 20 + 19] = 0.2;
    const out = centerByMass(img);
    assert.equal(out.width, 28);
    const com = centerOfMass(out);
    assert.ok(com);
    // Centre of mass (1.5, 1.0): y shifts by 13, but x would shift by 13 and is clamped to 28 - 20 = 8
    // so the image stays inside the frame.
    assert.equal(out.pixels[13 * 28 + 8], 1);
    assert.ok(com.y > 13.5 && com.y < 14.5);
    const balanced = grayImage(5, 5);
    balanced.pixels[2 * 5 + 1] = 1;
    balanced.pixels[2 * 5 + 4] = 1;
    const c = centerOfMass(centerByMass(balanced));
    assert.ok(c && Math.abs(c.x - 14) <= 0.5 && Math.abs(c.y - 14) <= 0.5, JSON.stringify(c));
  });
});

describe("toMnistInput", () => {
  it("reproduces real MNIST test digits fed in as they are", async () => {
    const { test } = await loadMnist();
    for (let k = 0; k < 50; k++) {
      const digit = test.images.slice(k * 784, (k + 1) * 784);
      const result = toMnistInput(grayImage(28, 28, digit));
      assert.equal(result.inverted, false);
      assert.equal(result.input.length, 784);
      assert.equal(result.input, result.centered28.pixels);
      assert.ok(Math.max(result.scaled20.width, result.scaled20.height) === 20);
      const r = correlation(result.input, digit);
      assert.ok(r > 0.8, `digit ${k}: correlation ${r.toFixed(3)}`);
      const com = centerOfMass(result.centered28);
      assert.ok(com && Math.abs(com.x - 14) <= 1 && Math.abs(com.y - 14) <= 1, `digit ${k}: ${JSON.stringify(com)}`);
    }
  });

  it("gives back nearly every MNIST digit exactly, as MNIST was made this way", async () => {
    const { test } = await loadMnist();
    let exact = 0;
    for (let k = 0; k < 1000; k++) {
      const digit = test.images.slice(k * 784, (k + 1) * 784);
      if (correlation(toMnistInput(grayImage(28, 28, digit)).input, digit) > 0.999) exact++;
    }
    assert.ok(exact >= 990, `${exact} of 1000 digits reproduced`);
  });

  it("copes with a photo-like picture: grey paper, uneven light and noise", async () => {
    const { test } = await loadMnist();
    const rng = new Rng(5);
    let total = 0;
    for (let k = 10; k < 20; k++) {
      const digit = grayImage(28, 28, test.images.slice(k * 784, (k + 1) * 784));
      const big = resize(digit, 120, 120);
      const [w, h] = [200, 160];
      const photo = grayImage(w, h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const paper = 0.7 + (0.15 * x) / w + rng.uniform(-0.02, 0.02);
          const bx = x - 20;
          const by = y - 30;
          const ink = bx >= 0 && by >= 0 && bx < 120 && by < 120 ? big.pixels[by * 120 + bx] : 0;
          photo.pixels[y * w + x] = paper * (1 - ink) + 0.2 * ink;
        }
      }
      const result = toMnistInput(photo);
      assert.equal(result.inverted, true);
      assert.ok(result.cropped.height < 110, `digit ${k}: cropped to ${result.cropped.width}×${result.cropped.height}`);
      const r = correlation(result.input, digit.pixels);
      // A 1-px difference in the rounded centring shift costs a thin digit a lot, hence the lower floor.
      assert.ok(r > 0.6, `digit ${k}: correlation ${r.toFixed(3)}`);
      total += r;
    }
    assert.ok(total / 10 > 0.85, `mean correlation ${(total / 10).toFixed(3)}`);
  });

  it("says 'no ink' for a blank picture, naming it", async () => {
    await assertNnlabError(() => toMnistInput(grayImage(30, 20, new Float32Array(600).fill(1)), { name: "blank.png" }), "blank.png", "no ink");
    await assertNnlabError(() => toMnistInput(grayImage(30, 20)), "image", "no ink");
  });
});
