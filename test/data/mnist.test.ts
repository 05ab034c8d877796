// MNIST loading on the real files, plus IDX pairs that must be refused (wrong shapes, counts, labels).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadIdxDataset, loadMnist, mnistDataDir, MNIST_FILES } from "../../src/data/mnist.js";
import { assertNnlabError, idxBytes, tempDir } from "./helpers.js";

describe("loadMnist", () => {
  it("loads 60000 training and 10000 test images scaled to [0, 1]", async () => {
    const { train, test } = await loadMnist();
    assert.equal(train.count, 60000);
    assert.equal(test.count, 10000);
    for (const ds of [train, test]) {
      assert.equal(ds.rows, 28);
      assert.equal(ds.cols, 28);
      assert.equal(ds.images.length, ds.count * 784);
      assert.equal(ds.labels.length, ds.count);
      let min = Infinity;
      let max = -Infinity;
      for (const v of ds.images) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      assert.equal(min, 0);
      assert.equal(max, 1);
      const counts = new Array<number>(10).fill(0);
      for (const l of ds.labels) counts[l]++;
      assert.ok(counts.every((c) => c > ds.count / 20), `every digit is common: ${counts.join(",")}`);
    }
    assert.equal(train.labels[0], 5);
    assert.equal(test.labels[0], 7);

    // Pixels are exactly byte / 255 (as float32), in file order.
    const raw = await readFile(join(mnistDataDir(), MNIST_FILES.trainImages));
    for (const i of [0, 152, 153, 400, 784 * 59999 + 300]) assert.equal(train.images[i], Math.fround(raw[16 + i] / 255));
  });
});

describe("loadIdxDataset on made-up files", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  async function write(name: string, bytes: Uint8Array): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  }

  it("loads any rows × cols and keeps labels", async () => {
    const images = await write("img-3x2x4", idxBytes(0x08, [3, 2, 4], Uint8Array.from({ length: 24 }, (_, i) => i * 10)));
    const labels = await write("lab-3", idxBytes(0x08, [3], Uint8Array.of(2, 0, 9)));
    const ds = await loadIdxDataset(images, labels);
    assert.equal(ds.count, 3);
    assert.equal(ds.rows, 2);
    assert.equal(ds.cols, 4);
    assert.deepEqual(Array.from(ds.labels), [2, 0, 9]);
    assert.equal(ds.images[23], Math.fround(230 / 255));
  });

  it("refuses images that are not 3-D", async () => {
    const images = await write("img-2d", idxBytes(0x08, [3, 784], new Uint8Array(3 * 784)));
    const labels = await write("lab-ok", idxBytes(0x08, [3], Uint8Array.of(1, 2, 3)));
    await assertNnlabError(() => loadIdxDataset(images, labels), images, "3 dimensions", "[3, 784]");
  });

  it("refuses labels that are not 1-D bytes", async () => {
    const images = await write("img-ok", idxBytes(0x08, [2, 2, 2], new Uint8Array(8)));
    const labels = await write("lab-int32", idxBytes(0x0c, [2], new Uint8Array(8)));
    await assertNnlabError(() => loadIdxDataset(images, labels), labels, "uint8 labels", "int32");
  });

  it("refuses a label count that differs from the image count", async () => {
    const images = await write("img-4", idxBytes(0x08, [4, 2, 2], new Uint8Array(16)));
    const labels = await write("lab-5", idxBytes(0x08, [5], new Uint8Array(5)));
    await assertNnlabError(() => loadIdxDataset(images, labels), labels, "expected 4 labels", "found 5 labels");
  });

  it("refuses labels outside 0..9", async () => {
    const images = await write("img-3", idxBytes(0x08, [3, 2, 2], new Uint8Array(12)));
    const labels = await write("lab-bad", idxBytes(0x08, [3], Uint8Array.of(1, 12, 3)));
    await assertNnlabError(() => loadIdxDataset(images, labels), labels, "0..9", "label 12 at index 1");
  });

  it("refuses 2×2 images where MNIST's 28×28 are required", async () => {
    const mnistDir = join(dir, "wrong-size");
    await mkdir(mnistDir);
    for (const [file, bytes] of [
      [MNIST_FILES.trainImages, idxBytes(0x08, [1, 2, 2], new Uint8Array(4))],
      [MNIST_FILES.trainLabels, idxBytes(0x08, [1], new Uint8Array(1))],
      [MNIST_FILES.testImages, idxBytes(0x08, [1, 2, 2], new Uint8Array(4))],
      [MNIST_FILES.testLabels, idxBytes(0x08, [1], new Uint8Array(1))],
    ] as const) {
      await writeFile(join(mnistDir, file), bytes);
    }
    await assertNnlabError(() => loadMnist({ dir: mnistDir }), "28×28", "found 2×2");
  });

  it("reads a folder of gzip-compressed MNIST-format files (as Fashion-MNIST ships)", async () => {
    const gzDir = join(dir, "gz");
    await mkdir(gzDir);
    const img = (n: number): Uint8Array => gzipSync(idxBytes(0x08, [n, 28, 28], new Uint8Array(n * 784).fill(255)));
    await writeFile(join(gzDir, MNIST_FILES.trainImages + ".gz"), img(5));
    await writeFile(join(gzDir, MNIST_FILES.trainLabels + ".gz"), gzipSync(idxBytes(0x08, [5], Uint8Array.of(0, 1, 2, 3, 4))));
    await writeFile(join(gzDir, MNIST_FILES.testImages + ".gz"), img(2));
    await writeFile(join(gzDir, MNIST_FILES.testLabels + ".gz"), gzipSync(idxBytes(0x08, [2], Uint8Array.of(8, 9))));
    const { train, test } = await loadMnist({ dir: gzDir });
    assert.equal(train.count, 5);
    assert.equal(test.count, 2);
    assert.deepEqual(Array.from(test.labels), [8, 9]);
    assert.ok(train.images.every((v) => v === 1));
  });

  it("names the missing file of an incomplete MNIST folder", async () => {
    const missing = join(dir, "empty-nothing-here");
    await assertNnlabError(() => loadMnist({ dir: missing }), missing, "-ubyte", "no such file");
  });
});
