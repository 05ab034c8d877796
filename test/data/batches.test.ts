// Seeded epochs and mini-batches: deterministic per seed, every example once per epoch, rows copied intact.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Rng } from "../../src/core/rng.js";
import { allocBatch, batchCount, batches, concatDatasets, epochOrder, gatherBatch, oneHot, splitAt, subset } from "../../src/data/batches.js";
import { loadMnist, type Dataset } from "../../src/data/mnist.js";
import { assertNnlabError } from "./helpers.js";

/** A small dataset whose image i is filled with i + pixel / 1000, so rows are easy to identify. */
function toyDataset(count: number, rows = 2, cols = 3): Dataset {
  const f = rows * cols;
  const images = new Float32Array(count * f);
  for (let i = 0; i < count; i++) for (let p = 0; p < f; p++) images[i * f + p] = i + p / 1000;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, rows, cols };
}

describe("epochOrder", () => {
  it("is the same permutation for the same seed and differs across seeds and epochs", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const first = epochOrder(1000, a);
    assert.deepEqual(first, epochOrder(1000, b));
    const second = epochOrder(1000, a);
    assert.notDeepEqual(first, second);
    assert.deepEqual(second, epochOrder(1000, b));
    assert.notDeepEqual(first, epochOrder(1000, new Rng(43)));
  });

  it("covers every index exactly once per epoch, through the batches", () => {
    const ds = toyDataset(1003);
    const rng = new Rng(7);
    for (let epoch = 0; epoch < 3; epoch++) {
      const seen = new Uint8Array(ds.count);
      let n = 0;
      for (const batch of batches(ds, 64, epochOrder(ds.count, rng), { reuse: true })) {
        for (let b = 0; b < batch.size; b++) seen[Math.floor(batch.x[b * 6])]++;
        n++;
      }
      assert.equal(n, batchCount(ds.count, 64));
      assert.ok(seen.every((c) => c === 1), `epoch ${epoch}: every example once`);
    }
  });
});

describe("gatherBatch", () => {
  it("copies whole rows and labels in the order of the indices", () => {
    const ds = toyDataset(10);
    const batch = gatherBatch(ds, Int32Array.of(9, 3, 5, 0), 1, 2);
    assert.equal(batch.size, 2);
    assert.deepEqual(Array.from(batch.y), [3, 5]);
    assert.deepEqual(Array.from(batch.x), Array.from(ds.images.subarray(3 * 6, 4 * 6)).concat(Array.from(ds.images.subarray(5 * 6, 6 * 6))));
  });

  it("writes into a lent buffer and shortens the last batch", () => {
    const ds = toyDataset(10);
    const buffer = allocBatch(ds, 4);
    const order = Int32Array.from({ length: 10 }, (_, i) => 9 - i);
    const last = gatherBatch(ds, order, 8, 4, buffer);
    assert.equal(last.size, 2);
    assert.equal(last.x.length, 12);
    assert.equal(last.x.buffer, buffer.x.buffer);
    assert.deepEqual(Array.from(last.y), [1, 0]);
    assert.equal(batchCount(10, 4, true), 2);
    assert.equal([...batches(ds, 4, order, { dropLast: true })].length, 2);
  });

  it("refuses bad indices, sizes and buffers with NnlabError", async () => {
    const ds = toyDataset(5);
    await assertNnlabError(() => gatherBatch(ds, [0, 5], 0, 2), "0..4", "found 5");
    await assertNnlabError(() => gatherBatch(ds, [0, 1], 0, 0), "batch size");
    await assertNnlabError(() => gatherBatch(ds, [0, 1, 2], 0, 3, allocBatch(ds, 2)), "allocBatch");
  });

  it("is deterministic on real MNIST for a seed", async () => {
    const { test } = await loadMnist();
    const run = (seed: number): number[] => {
      const order = epochOrder(test.count, new Rng(seed));
      const b = gatherBatch(test, order, 0, 32);
      return [...Array.from(b.y), b.x.reduce((s, v) => s + v, 0)];
    };
    assert.deepEqual(run(1), run(1));
    assert.notDeepEqual(run(1), run(2));
  });
});

describe("oneHot, subset and splitAt", () => {
  let ds: Dataset;
  before(() => {
    ds = toyDataset(20);
  });

  it("one-hot encodes labels", async () => {
    assert.deepEqual(Array.from(oneHot([2, 0], 3)), [0, 0, 1, 1, 0, 0]);
    const out = new Float32Array(6).fill(9);
    assert.equal(oneHot(Uint8Array.of(1, 1), 3, out), out);
    assert.deepEqual(Array.from(out), [0, 1, 0, 0, 1, 0]);
    await assertNnlabError(() => oneHot([3], 3), "0..2", "found 3");
  });

  it("takes the first n examples or chosen indices, as copies", () => {
    const first = subset(ds, 4);
    assert.equal(first.count, 4);
    assert.deepEqual(first.images, ds.images.subarray(0, 24));
    first.images[0] = -1;
    assert.equal(ds.images[0], 0);
    const picked = subset(ds, [7, 2]);
    assert.deepEqual(Array.from(picked.labels), [7, 2]);
    assert.equal(picked.images[6], 2);
    assert.equal(subset(ds, []).count, 0);
  });

  it("keeps a dataset's bytes beside its values through subset, splitAt and concatDatasets", async () => {
    const { test } = await loadMnist();
    assert.ok(test.pixels, "a dataset read from IDX bytes keeps them");
    const agree = (d: Dataset, what: string) => {
      assert.ok(d.pixels, `${what}: has bytes`);
      assert.equal(d.pixels.length, d.images.length, `${what}: one byte per value`);
      d.pixels.forEach((b, i) => assert.equal(d.images[i], Math.fround(b / 255), `${what}: value ${i}`));
    };
    agree(subset(test, 3), "first 3");
    agree(subset(test, [9, 0, 4]), "picked");
    const [a, b] = splitAt(subset(test, 5), 2);
    agree(a, "split, first part");
    agree(b, "split, rest");
    agree(concatDatasets(a, b), "concatenated");
    const { pixels, ...values } = b;
    assert.ok(pixels);
    assert.equal(concatDatasets(a, values).pixels, undefined, "no bytes when one side has none");
  });

  it("splits into two parts that add up to the whole", () => {
    const [a, b] = splitAt(ds, 15);
    assert.equal(a.count + b.count, 20);
    assert.equal(b.images[0], 15);
    assert.deepEqual(Array.from(b.labels), [5, 6, 7, 8, 9]);
  });
});
