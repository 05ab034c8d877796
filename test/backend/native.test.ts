// The native backend (OpenBLAS matrix products on the wasm backend's memory): the js oracle's answers
// for every transpose case, odd sizes, batches with and without broadcasting, k = 0 and the fused linear
// layer; a training step equal to wasm's within float32 rounding; and, where it cannot run, the CLI runs
// on wasm and says so once. Skipped (saying why) where the addon was not built or OpenBLAS is missing;
// the PyTorch reference cases run on it in test/core/{reference,conv,lstm}.test.ts.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import { nativeUnavailableReason, type NativeBackend } from "../../src/backend/native/index.js";
import { getBackend } from "../../src/core/engine.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import * as F from "../../src/nn/functional.js";
import { nnlabWithEnv, REFERENCE_FILE } from "../helpers.js";
import { agree, floats } from "./oracle.js";

let why: string | null = null;

before(async () => {
  why = await nativeUnavailableReason();
  await init({ backend: why === null ? "native" : "wasm" });
});

const rng = new Rng(29);

test("native matmul gives the js oracle's products: every transpose case, odd and skinny sizes", (t) => {
  if (why !== null) return t.skip(why);
  for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [17, 33, 9], [64, 65, 130], [128, 3, 1], [1, 200, 31]]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = floats(rng, transA ? [k, m] : [m, k]);
        const b = floats(rng, transB ? [n, k] : [k, n]);
        agree(`${m}×${n}×${k} transA=${transA} transB=${transB}`, ([x, y]) => ops.matmul(x, y, { transA, transB }), [a, b], 1e-5, "native");
      }
    }
  }
});

test("native matmul handles batches (one call with strides, or broadcast pairs) and k = 0", (t) => {
  if (why !== null) return t.skip(why);
  agree("batch × batch", ([x, y]) => ops.matmul(x, y), [floats(rng, [2, 3, 5, 7]), floats(rng, [2, 3, 7, 4])], 1e-5, "native");
  agree("batch × one matrix", ([x, y]) => ops.matmul(x, y, { transB: true }), [floats(rng, [4, 6, 9]), floats(rng, [5, 9])], 1e-5, "native");
  agree("broadcast on both sides", ([x, y]) => ops.matmul(x, y), [floats(rng, [2, 1, 3, 5]), floats(rng, [1, 3, 5, 2])], 1e-5, "native");
  agree("k = 0 gives zeros", ([x, y]) => ops.matmul(x, y), [floats(rng, [3, 0]), floats(rng, [0, 4])], 0, "native");
});

test("the native fused linear layer (x·Wᵀ + b) and its gradients match the js oracle", (t) => {
  if (why !== null) return t.skip(why);
  for (const [rows, inF, outF] of [[1, 1, 1], [7, 13, 5], [96, 128, 384]]) {
    const inputs = [floats(rng, [rows, inF]), floats(rng, [outF, inF]), floats(rng, [outF]), floats(rng, [rows, outF])];
    agree(`linear ${rows}×${inF} → ${outF}`, ([x, w, b]) => F.linear(x, w, b), inputs, 1e-5, "native");
    agree(`linear ${rows}×${inF} → ${outF}, input gradient`, ([x, w, b, up]) => {
      const xv = x.requireGrad();
      ops.mul(F.linear(xv, w, b), up).sum().backward();
      return xv.grad!;
    }, inputs, 1e-4, "native"); // sums of 384 float32 products
  }
});

test("the native backend reports OpenBLAS; its products repeat exactly, and agree on one thread and on several", (t) => {
  if (why !== null) return t.skip(why);
  const b = getBackend() as NativeBackend;
  assert.equal(b.name, "native");
  assert.match(b.blas().library, /openblas/);
  assert.match(b.blas().config, /OpenBLAS/);
  assert.equal(b.blas().threads, 1);
  const [x, y, w, bias] = [floats(rng, [300, 200]), floats(rng, [200, 150]), floats(rng, [150, 200]), floats(rng, [150])];
  const run = () => {
    const [xt, yt, wt, bt] = [x, y, w, bias].map((v) => ops.tensor(v.data, v.shape));
    return [ops.matmul(xt, yt).toArray(), ops.matmul(xt, yt, { transA: false }).toArray(), F.linear(xt, wt, bt).toArray(), ops.matmul(ops.reshape(xt, [3, 100, 200]), yt).toArray()];
  };
  const threads = b.threads;
  const several = run();
  assert.deepEqual(run(), several, "the same thread count gives the same bits");
  b.setThreads(1);
  const one = run();
  b.setThreads(threads);
  // OpenBLAS's edge kernels depend on where a row range starts, so threads change the rounding only
  for (const [i, want] of one.entries()) {
    for (let j = 0; j < want.length; j++) assert.ok(Math.abs(several[i][j] - want[j]) <= 1e-5 * (1 + Math.abs(want[j])), `product ${i}, element ${j}`);
  }
});

test("where the native backend cannot run, --backend native runs on wasm and says why once", async () => {
  const r = await nnlabWithEnv({ NNLAB_NO_NATIVE: "1" }, "selftest", "--reference", REFERENCE_FILE, "--backend", "native", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).backend, "wasm");
  const said = r.stderr.split("\n").filter((l) => l.includes("native backend is not available"));
  assert.deepEqual(said, ["nnlab: the native backend is not available (NNLAB_NO_NATIVE is set); running on wasm"]);
});
