// safetensors: round trips of every dtype, a cross-check that an independent reader (numpy, following
// the format's specification) sees the same tensors, and damaged files rejected with a clear error.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "../../src/io/safetensors.js";
import { readSafetensors, writeSafetensors } from "../../src/io/safetensors-file.js";
import { assertNnlabError, tempDir } from "./helpers.js";

const PYTHON = "/usr/bin/python3";

const tensors: Record<string, SafeTensor> = {
  "layers.0.weight": { dtype: "F32", shape: [2, 3], data: Float32Array.from([1.5, -2, 3.25, 0, -0.125, 1e-8]) },
  "layers.0.bias": { dtype: "F64", shape: [2], data: Float64Array.from([Math.PI, -Math.E]) },
  ids: { dtype: "I32", shape: [4], data: Int32Array.from([0, -1, 2147483647, 7]) },
  step: { dtype: "I64", shape: [], data: BigInt64Array.from([9007199254740993n]) },
  mask: { dtype: "U8", shape: [1, 3], data: Uint8Array.from([0, 1, 255]) },
  empty: { dtype: "F32", shape: [0, 5], data: new Float32Array(0) },
};

let dir = "";
let cleanup = async (): Promise<void> => {};
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

describe("safetensors round trip", () => {
  test("every dtype, scalar and empty shapes, metadata", async () => {
    const file = join(dir, "all.safetensors");
    await writeSafetensors(file, tensors, { format: "pt", note: "ünïcode" });
    const back = await readSafetensors(file);
    assert.deepEqual(back.metadata, { format: "pt", note: "ünïcode" });
    assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      assert.equal(back.tensors[name].dtype, t.dtype, name);
      assert.deepEqual(back.tensors[name].shape, t.shape, name);
      assert.deepEqual(back.tensors[name].data, t.data, name);
    }
  });

  test("the header is 8-byte aligned JSON followed by the data buffer", () => {
    const bytes = encodeSafetensors({ w: tensors["layers.0.weight"] });
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    assert.equal((8 + n) % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
    assert.deepEqual(header.w, { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] });
    assert.equal(bytes.length, 8 + n + 24);
  });

  test("numpy, reading by the specification, sees the same tensors", { skip: existsSync(PYTHON) ? false : `skipped: no ${PYTHON}` }, async (t) => {
    const file = join(dir, "for-numpy.safetensors");
    await writeSafetensors(file, tensors);
    const script = `
import json, struct, sys
try:
    import numpy as np
except ImportError:
    print("NO_NUMPY"); sys.exit(0)
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
kinds = {"F32": "<f4", "F64": "<f8", "I32": "<i4", "I64": "<i8", "U8": "u1"}
out = {}
for name, e in header.items():
    if name == "__metadata__": continue
    b, end = e["data_offsets"]
    a = np.frombuffer(raw[8 + n + b: 8 + n + end], dtype=kinds[e["dtype"]]).reshape(e["shape"])
    out[name] = {"shape": list(a.shape), "sum": str(a.astype(object).sum()) if e["dtype"] == "I64" else float(a.astype(np.float64).sum())}
print(json.dumps(out))
`;
    const text = execFileSync(PYTHON, ["-c", script, file], { encoding: "utf8" }).trim();
    if (text === "NO_NUMPY") {
      t.skip(`skipped: numpy is not installed for ${PYTHON}`);
      return;
    }
    const seen = JSON.parse(text) as Record<string, { shape: number[]; sum: number | string }>;
    for (const [name, tensor] of Object.entries(tensors)) {
      assert.deepEqual(seen[name].shape, tensor.shape, name);
      if (tensor.dtype === "I64") assert.equal(seen[name].sum, tensor.data[0].toString());
      else assert.ok(Math.abs((seen[name].sum as number) - Array.from(tensor.data as Float32Array).reduce((s, v) => s + v, 0)) < 1e-6, name);
    }
  });
});

describe("damaged safetensors files", () => {
  const good = encodeSafetensors({ w: tensors["layers.0.weight"], b: tensors["layers.0.bias"] });
  const headerLength = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));
  const withHeader = (header: unknown): Uint8Array => {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const bytes = new Uint8Array(8 + json.length + 24);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    return bytes;
  };

  test("too short, truncated, header length past the end", async () => {
    await assertNnlabError(() => decodeSafetensors(good.subarray(0, 5), "short.st"), "short.st");
    await assertNnlabError(() => decodeSafetensors(good.subarray(0, good.length - 4), "cut.st"), "cut.st");
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, BigInt(good.length * 2), true);
    await assertNnlabError(() => decodeSafetensors(huge, "huge.st"), "huge.st", "header length");
    assert.ok(headerLength > 0);
  });

  test("bad JSON, unknown dtype, shape that does not match the bytes, overlapping tensors", async () => {
    const notJson = good.slice();
    notJson[8] = "!".charCodeAt(0);
    await assertNnlabError(() => decodeSafetensors(notJson, "json.st"), "json.st", "JSON");
    await assertNnlabError(() => decodeSafetensors(withHeader({ w: { dtype: "BF17", shape: [6], data_offsets: [0, 24] } }), "dtype.st"), "dtype.st", "BF17");
    await assertNnlabError(() => decodeSafetensors(withHeader({ w: { dtype: "F32", shape: [2, 2], data_offsets: [0, 24] } }), "shape.st"), "shape.st");
    await assertNnlabError(
      () => decodeSafetensors(withHeader({ a: { dtype: "F32", shape: [4], data_offsets: [0, 16] }, b: { dtype: "F32", shape: [4], data_offsets: [8, 24] } }), "overlap.st"),
      "overlap.st",
    );
  });

  test("a file on disk that is not safetensors is named in the error", async () => {
    const file = join(dir, "notes.safetensors");
    await writeFile(file, "just some text, long enough to have eight bytes");
    await assertNnlabError(() => readSafetensors(file), file);
    assert.equal(await readFile(file, "utf8"), "just some text, long enough to have eight bytes");
  });
});
