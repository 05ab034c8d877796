// The worker pool: large kernels split across threads give exactly the numbers of one thread (each
// output element is computed by one thread, in the same order), and the pool starts where the machine
// has more than one core.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import { init } from "../../src/backend/index.js";
import { createNativeBackend, nativeUnavailableReason } from "../../src/backend/native/index.js";
import { createWasmBackend, type WasmBackend } from "../../src/backend/wasm/index.js";
import { fromTypedArray } from "../../src/core/engine.js";
import { fused } from "../../src/core/fused.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import { floats, ints, type Input } from "./oracle.js";

let threaded: WasmBackend;
let single: WasmBackend;

before(async () => {
  threaded = (await init({ backend: "wasm" })) as WasmBackend;
  single = await createWasmBackend({ threads: 1 });
});

test("the wasm backend runs large kernels on every core", (t) => {
  const cores = Math.min(8, os.availableParallelism());
  if (cores < 2) return t.skip("this machine has one core");
  assert.equal(threaded.threads, cores);
  assert.equal(single.threads, 1);
  threaded.setThreads(1);
  assert.equal(threaded.threads, 1);
  threaded.setThreads(99);
  assert.equal(threaded.threads, cores);
});

const rng = new Rng(13);

function same(what: string, f: (xs: Tensor[]) => Tensor, inputs: readonly Input[], pair: [WasmBackend, WasmBackend] = [threaded, single]): void {
  const on = (backend: WasmBackend) => f(inputs.map((x) => fromTypedArray(x.data, x.shape, backend))).toArray();
  assert.deepEqual(on(pair[0]), on(pair[1]), `${what}: threaded and single-threaded results differ`);
}

test("threaded matmul, attention, GELU and layer norm give the single-threaded numbers exactly", () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      // 213 rows: 2 threads split them at row 105, a multiple of the 5-row tile; split anywhere else
      // (row 108, say), rows 105–107 would take the 1-row tile, which rounds differently
      const [m, n, k] = [213, 150, 301];
      same(`matmul ${transA} ${transB}`, ([a, b]) => ops.matmul(a, b, { transA, transB }), [
        floats(rng, transA ? [k, m] : [m, k]),
        floats(rng, transB ? [n, k] : [k, n]),
      ]);
      // few rows and many columns: the threads split the columns (each packs half of B), at column 304
      const [m2, n2, k2] = [23, 600, 170];
      same(`matmul split by columns ${transA} ${transB}`, ([a, b]) => ops.matmul(a, b, { transA, transB }), [
        floats(rng, transA ? [k2, m2] : [m2, k2]),
        floats(rng, transB ? [n2, k2] : [k2, n2]),
      ]);
    }
  }
  // sizes past the 4.2 Mflop at which products are split
  same("batched matmul", ([a, b]) => ops.matmul(a, b), [floats(rng, [7, 128, 96]), floats(rng, [7, 96, 160])]);
  same("broadcast batched matmul", ([a, b]) => ops.matmul(a, b, { transB: true }), [floats(rng, [5, 128, 96]), floats(rng, [160, 96])]);
  for (const approximate of ["tanh", "none"] as const) {
    same(`GELU (${approximate}) and its gradient`, ([x, g]) => ops.add(fused("gelu", [x], { approximate }), fused("geluGrad", [g, x], { approximate })), [floats(rng, [301, 1001], -5, 5), floats(rng, [301, 1001])]);
  }
  // 768 rows of 128: enough rows (in flops' worth of time) that layer norm shares them between the threads
  const rows = () => floats(rng, [768, 128], -3, 3);
  same("layer norm", ([x, w, b]) => fused("layerNorm", [x, w, b], { eps: 1e-5 }), [rows(), floats(rng, [128]), floats(rng, [128])]);
  same("normalize", ([x]) => fused("normalize", [x], { eps: 1e-5 }), [rows()]);
  same("layer norm's gradient", ([g, x, w]) => fused("layerNormGradX", [g, x, w], { eps: 1e-5 }), [rows(), rows(), floats(rng, [128])]);
  same("layer norm's weight gradient", ([g, x]) => fused("layerNormGradW", [g, x], { eps: 1e-5 }), [rows(), rows()]);
  // W2's head: 768 rows of 65 logits, the rows shared between the threads
  same("cross-entropy's gradient", ([x, t, g]) => fused("crossEntropyGrad", [x, t, g], {}), [floats(rng, [768, 65], -6, 6), ints(rng, [768], 65), floats(rng, [])]);
  const qkv = () => floats(rng, [3, 4, 64, 32]);
  same("causal attention", ([q, k, v]) => fused("causalAttention", [q, k, v], {}), [qkv(), qkv(), qkv()]);
  // 12 batches × 4 heads: the units are shared between the threads
  const packed = () => floats(rng, [12, 64, 384]);
  same("packed attention", ([x]) => fused("packedAttention", [x], { heads: 4 }), [packed()]);
  same("packed attention's gradient", ([g, x]) => fused("packedAttentionGrad", [g, x], { heads: 4 }), [floats(rng, [12, 64, 128]), packed()]);
});

test("on the native backend, attention shares its heads between the threads and gives the single-threaded numbers exactly", async (t) => {
  const why = await nativeUnavailableReason();
  if (why) return t.skip(`the native backend is not available: ${why}`);
  const cores = Math.min(8, os.availableParallelism());
  if (cores < 2) return t.skip("this machine has one core");
  const pair: [WasmBackend, WasmBackend] = [await createNativeBackend(), await createNativeBackend({ threads: 1 })];
  const qkv = () => floats(rng, [3, 4, 64, 32]);
  same("native causal attention", ([q, k, v]) => fused("causalAttention", [q, k, v], {}), [qkv(), qkv(), qkv()], pair);
  same("native causal attention's gradient", ([g, q, k, v]) => fused("causalAttentionGrad", [g, q, k, v], {}), [qkv(), qkv(), qkv(), qkv()], pair);
});
