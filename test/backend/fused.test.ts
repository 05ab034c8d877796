// Every fused kernel of the wasm backend against its composite (src/core/fused.ts), forward and
// gradients, on odd shapes; and the js backend, which has no fused kernels, runs the composites.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import { setBackend } from "../../src/core/engine.js";
import { fused, fusedOps, type FusedOp, type FusedParams } from "../../src/core/fused.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import { floats, ints, type Input } from "./oracle.js";
import { useBackendOrSkip } from "../helpers.js";

before(async () => {
  await init({ backend: "wasm" });
});

const rng = new Rng(11);

function close(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${what}: element ${i} is ${got[i]}, the composite gives ${want[i]}`);
  }
}

/** Output and input gradients (of Σ y·r for a random r) through `f`. */
function outputAndGrads(f: (xs: Tensor[]) => Tensor, inputs: readonly Input[], differentiable: boolean, expectOp?: FusedOp) {
  const xs = inputs.map((x) => {
    const t = ops.tensor(x.data, x.shape, x.data instanceof Int32Array ? "int32" : "float32");
    return differentiable && t.dtype === "float32" ? t.requireGrad() : t;
  });
  const y = f(xs);
  if (expectOp) assert.equal(y.node?.prim ?? expectOp, expectOp, `${expectOp} ran its fused kernel`);
  const r = ops.tensor(floats(new Rng(5), [...y.shape]).data, [...y.shape]);
  if (differentiable) ops.sum(ops.mul(y, r)).backward();
  return { y: y.toArray(), grads: xs.map((x) => x.grad?.toArray() ?? null) };
}

function checkFused<F extends FusedOp>(op: F, inputs: readonly Input[], params: FusedParams[F], tol = 1e-5): void {
  const differentiable = fusedOps[op].vjp !== undefined;
  const viaKernel = outputAndGrads((xs) => fused(op, xs, params), inputs, differentiable, op);
  const viaComposite = outputAndGrads((xs) => fusedOps[op].composite(xs, params), inputs, differentiable);
  close(`${op} forward`, viaKernel.y, viaComposite.y, tol);
  viaKernel.grads.forEach((g, i) => {
    const want = viaComposite.grads[i];
    assert.equal(g === null, want === null, `${op}: gradient ${i} present`);
    if (g && want) close(`${op} gradient ${i}`, g, want, tol);
  });
}

test("the wasm backend provides a fused kernel for every fused op", () => {
  setBackend("wasm");
  const x = ops.zeros([1]);
  for (const op of Object.keys(fusedOps)) assert.ok(x.backend.fused?.[op as FusedOp], `${op} has a wasm kernel`);
});

test("sigmoid and its gradient match the composite", () => {
  setBackend("wasm");
  for (const shape of [[1], [1, 1], [7], [13, 17], [0, 5], [3, 4, 5]]) {
    checkFused("sigmoid", [floats(rng, shape, -30, 30)], {});
    checkFused("sigmoidGrad", [floats(rng, shape), floats(rng, shape, 0, 1)], {});
  }
});

test("linear (x·Wᵀ + b) matches the composite, forward and backward", () => {
  setBackend("wasm");
  for (const [n, inF, outF] of [[1, 1, 1], [10, 784, 16], [3, 5, 7], [17, 33, 9], [64, 31, 129], [0, 4, 3], [4, 0, 3]]) {
    checkFused("linear", [floats(rng, [n, inF]), floats(rng, [outF, inF]), floats(rng, [outF])], {}, 1e-4);
  }
});

test("on the js backend fused ops run their composites", () => {
  setBackend("js");
  const x = ops.tensor(floats(rng, [3, 4]).data, [3, 4]).requireGrad();
  assert.equal(fused("sigmoid", [x], {}).node?.prim, "add");
});

test("softmax (with temperature) and log-softmax match their composites, forward and backward", () => {
  setBackend("wasm");
  for (const shape of [[1, 1], [3, 7], [2, 3, 10], [5, 1], [0, 4], [4, 129]]) {
    const axis = shape.length - 1;
    for (const temperature of [1, 0.5, 2.7]) checkFused("softmax", [floats(rng, shape, -8, 8)], { axis, temperature });
    checkFused("logSoftmax", [floats(rng, shape, -8, 8)], { axis });
    checkFused("softmaxGrad", [floats(rng, shape), floats(rng, shape, 0, 1)], { temperature: 0.7 });
    checkFused("logSoftmaxGrad", [floats(rng, shape), floats(rng, shape, -5, 0)], {});
  }
  // other axes run the composite
  const x = ops.tensor(floats(rng, [3, 4]).data, [3, 4]).requireGrad();
  assert.notEqual(fused("softmax", [x], { axis: 0, temperature: 1 }).node?.prim, "softmax");
});

test("cross-entropy (log-softmax + NLL) matches its composite, and rejects out-of-range targets", () => {
  setBackend("wasm");
  for (const [n, c] of [[1, 1], [7, 10], [64, 3], [10, 129]]) {
    checkFused("crossEntropy", [floats(rng, [n, c], -6, 6), ints(rng, [n], c)], {});
    checkFused("crossEntropyGrad", [floats(rng, [n, c], -6, 6), ints(rng, [n], c), floats(rng, [])], {});
  }
  const logits = ops.tensor(floats(rng, [2, 3]).data, [2, 3]);
  assert.throws(() => fused("crossEntropy", [logits, ops.tensor(Int32Array.from([1, 3]), [2], "int32")], {}), /target 3 \(row 1\) is out of range/);
});

test("layer norm and its pieces match their composites, forward and backward", () => {
  setBackend("wasm");
  for (const shape of [[1, 1], [3, 5], [2, 3, 17], [4, 128]]) {
    const d = shape[shape.length - 1];
    checkFused("layerNorm", [floats(rng, shape, -3, 5), floats(rng, [d]), floats(rng, [d])], { eps: 1e-5 }, 1e-4);
    checkFused("normalize", [floats(rng, shape, -3, 5)], { eps: 1e-5 }, 1e-4);
    checkFused("layerNormGradX", [floats(rng, shape), floats(rng, shape, -3, 5), floats(rng, [d])], { eps: 1e-5 }, 1e-4);
  }
  // the weight's gradient: blocks of 64 rows and a partial one, no rows, one vector
  for (const shape of [[1, 1], [3, 5], [2, 3, 17], [4, 128], [130, 7], [2, 97, 12], [0, 5], [9]]) {
    checkFused("layerNormGradW", [floats(rng, shape), floats(rng, shape, -3, 5)], { eps: 1e-5 }, 1e-4);
  }
});

test("GELU (exact and tanh) and its gradient match the composites", () => {
  setBackend("wasm");
  for (const approximate of ["none", "tanh"] as const) {
    for (const shape of [[1], [7], [13, 17], [0, 3]]) {
      checkFused("gelu", [floats(rng, shape, -6, 6)], { approximate });
      checkFused("geluGrad", [floats(rng, shape), floats(rng, shape, -6, 6)], { approximate });
    }
  }
});

test("causal attention and its pattern match their composites, forward and backward", () => {
  setBackend("wasm");
  for (const shape of [[1, 1], [5, 3], [2, 7, 4], [2, 3, 17, 8], [1, 2, 64, 32]]) {
    checkFused("causalAttention", [floats(rng, shape), floats(rng, shape), floats(rng, shape)], {}, 1e-4);
    checkFused("attentionPattern", [floats(rng, shape), floats(rng, shape)], {}, 1e-4);
    checkFused("causalAttentionGrad", [floats(rng, shape), floats(rng, shape), floats(rng, shape), floats(rng, shape)], {}, 1e-4);
  }
});

/** [..., T, 3·heads·hs] shapes: odd T and batches, one to five heads, heads of 8 to 32 floats. */
const PACKED: [number[], number][] = [
  [[1, 24], 1],
  [[1, 48], 2],
  [[5, 24], 1],
  [[2, 7, 72], 3],
  [[3, 13, 120], 5],
  [[2, 17, 96], 2],
  [[1, 64, 384], 4],
  [[2, 3, 9, 48], 2],
];

test("attention read in place from c_attn's output matches its composite (split, attend, merge), forward and backward", () => {
  setBackend("wasm");
  for (const [shape, heads] of PACKED) {
    const out = [...shape.slice(0, -1), shape[shape.length - 1] / 3];
    checkFused("packedAttention", [floats(rng, shape)], { heads }, 1e-4);
    checkFused("packedAttentionGrad", [floats(rng, out), floats(rng, shape)], { heads }, 1e-4);
  }
});

test("packed attention equals causal attention on the split heads, and heads the kernels do not take run the composite", () => {
  setBackend("wasm");
  const [B, T, heads, hs] = [2, 11, 3, 16];
  const qkv = ops.tensor(floats(rng, [B, T, 3 * heads * hs]).data, [B, T, 3 * heads * hs]);
  const split = (i: number) => ops.permute(ops.reshape(ops.slice(qkv, [0, 0, i * heads * hs], [B, T, (i + 1) * heads * hs]), [B, T, heads, hs]), [0, 2, 1, 3]);
  const want = ops.reshape(ops.permute(fused("causalAttention", [split(0), split(1), split(2)], {}), [0, 2, 1, 3]), [B, T, heads * hs]);
  close("packed vs split", fused("packedAttention", [qkv], { heads }).toArray(), want.toArray(), 1e-5);
  // heads of 4 floats: not a multiple of the tiles' 8 columns, so the composite runs (and is right)
  const narrow = ops.tensor(floats(rng, [2, 5, 3 * 2 * 4]).data, [2, 5, 24]);
  assert.equal(fusedOps.packedAttention.supports!([narrow], { heads: 2 }), false, "heads of 4 floats go to the composite");
  assert.equal(fusedOps.packedAttention.supports!([qkv], { heads }), true, "heads of 16 floats go to the kernel");
  close("narrow heads", fused("packedAttention", [narrow], { heads: 2 }).toArray(), fusedOps.packedAttention.composite([narrow], { heads: 2 }).toArray(), 1e-6);
  assert.throws(() => fused("packedAttention", [qkv], { heads: 5 }), /packedAttention: expected qkv \[\.\.\., T, 3·heads·hs\] for 5 heads, found/);
});

test("on the native backend (OpenBLAS products), causal attention and the linear layer match their composites", async (t) => {
  if (!(await useBackendOrSkip(t, "native"))) return;
  // [3, 4, 64, 32]: enough work that the heads are shared between the threads
  for (const shape of [[1, 1], [5, 3], [2, 7, 4], [2, 3, 17, 8], [1, 2, 64, 32], [3, 4, 64, 32]]) {
    checkFused("causalAttention", [floats(rng, shape), floats(rng, shape), floats(rng, shape)], {}, 1e-4);
    checkFused("causalAttentionGrad", [floats(rng, shape), floats(rng, shape), floats(rng, shape), floats(rng, shape)], {}, 1e-4);
  }
  for (const [shape, heads] of PACKED) {
    const out = [...shape.slice(0, -1), shape[shape.length - 1] / 3];
    checkFused("packedAttention", [floats(rng, shape)], { heads }, 1e-4);
    checkFused("packedAttentionGrad", [floats(rng, out), floats(rng, shape)], { heads }, 1e-4);
  }
  for (const [rows, inF, outF] of [[1, 1, 1], [3, 5, 7], [40, 64, 96]]) {
    checkFused("linear", [floats(rng, [rows, inF]), floats(rng, [outF, inF]), floats(rng, [outF])], {}, 1e-4);
  }
  setBackend("wasm");
});

test("the LSTM cell step and its gradient match the composites", () => {
  setBackend("wasm");
  for (const [n, h] of [[1, 1], [3, 4], [2, 7], [5, 13], [4, 64]]) {
    checkFused("lstmCell", [floats(rng, [n, 4 * h], -6, 6), floats(rng, [n, h], -3, 3)], {});
    checkFused("lstmCellGrad", [floats(rng, [2, n, h]), floats(rng, [n, 4 * h], -6, 6), floats(rng, [n, h], -3, 3), floats(rng, [2, n, h], -3, 3)], {});
  }
});
