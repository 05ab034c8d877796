// Float64 finite-difference checks of every primitive's and composite's gradient.
import { test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import * as F from "../../src/nn/functional.js";
import { gradCheck } from "../../src/selftest/gradcheck.js";

const rng = new Rng(3);
const rand = (shape: number[], lo = -1.5, hi = 1.5) => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(lo, hi)) });
const ids = () => ops.tensor([2, 0, 3, 2], [4], "int32");

const cases: [string, (xs: Tensor[]) => Tensor, ReturnType<typeof rand>[]][] = [
  // primitives
  ["neg", ([x]) => x.neg(), [rand([3, 4])]],
  ["exp", ([x]) => x.exp(), [rand([3, 4])]],
  ["log", ([x]) => x.log(), [rand([3, 4], 0.2, 2)]],
  ["sqrt", ([x]) => x.sqrt(), [rand([3, 4], 0.2, 2)]],
  ["tanh", ([x]) => x.tanh(), [rand([3, 4])]],
  ["erf", ([x]) => x.erf(), [rand([3, 4])]],
  ["add (broadcast)", ([a, b]) => a.add(b), [rand([3, 4]), rand([4])]],
  ["sub (broadcast)", ([a, b]) => a.sub(b), [rand([3, 1]), rand([3, 4])]],
  ["mul (broadcast)", ([a, b]) => a.mul(b), [rand([2, 3, 4]), rand([3, 1])]],
  ["div", ([a, b]) => a.div(b), [rand([3, 4]), rand([3, 4], 0.5, 2)]],
  ["maximum", ([a, b]) => a.maximum(b), [rand([3, 4]), rand([3, 4])]],
  ["where", ([a, b]) => ops.where(a.greater(0), a, b), [rand([3, 4]), rand([4])]],
  ["sum axes", ([x]) => x.sum([0, 2]), [rand([2, 3, 4])]],
  ["sum keepDims", ([x]) => x.sum(1, true), [rand([2, 3, 4])]],
  ["max", ([x]) => x.max(-1), [rand([3, 5])]],
  ["matmul", ([a, b]) => a.matmul(b), [rand([3, 4]), rand([4, 5])]],
  ["matmul transA", ([a, b]) => a.matmul(b, { transA: true }), [rand([4, 3]), rand([4, 5])]],
  ["matmul transB", ([a, b]) => a.matmul(b, { transB: true }), [rand([3, 4]), rand([5, 4])]],
  ["matmul transA transB", ([a, b]) => a.matmul(b, { transA: true, transB: true }), [rand([4, 3]), rand([5, 4])]],
  ["batched matmul (broadcast)", ([a, b]) => a.matmul(b), [rand([2, 3, 4]), rand([4, 2])]],
  ["reshape", ([x]) => x.reshape([4, 3]).mul(x.reshape([4, 3])), [rand([3, 4])]],
  ["permute", ([x]) => x.permute([2, 0, 1]), [rand([2, 3, 4])]],
  ["broadcastTo", ([x]) => x.broadcastTo([2, 3, 4]), [rand([3, 1])]],
  ["slice", ([x]) => x.slice([1, 0], [3, 2]), [rand([3, 4])]],
  ["pad", ([x]) => ops.pad(x, [1, 0], [0, 2]), [rand([3, 4])]],
  ["concat", ([a, b]) => ops.concat([a, b], 1), [rand([2, 3]), rand([2, 2])]],
  ["gather", ([w]) => w.gather(ids()), [rand([5, 3])]],
  ["scatterAdd", ([src]) => ops.scatterAdd(ids(), src, 5), [rand([4, 3])]],
  ["cast", ([x]) => x.cast("float32").cast("float64").mul(x), [rand([3])]],
  // composites
  ["sigmoid", ([x]) => x.sigmoid(), [rand([3, 4], -4, 4)]],
  ["relu", ([x]) => x.relu(), [rand([3, 4])]],
  ["gelu tanh", ([x]) => x.gelu("tanh"), [rand([3, 4], -3, 3)]],
  ["gelu erf", ([x]) => x.gelu("none"), [rand([3, 4], -3, 3)]],
  ["softmax", ([x]) => x.softmax(-1), [rand([3, 4])]],
  ["softmax with temperature", ([x]) => x.softmax(-1, 0.5), [rand([3, 4])]],
  ["logSoftmax", ([x]) => x.logSoftmax(0), [rand([3, 4])]],
  ["mean", ([x]) => x.mean(-1), [rand([3, 4])]],
  ["pow", ([x]) => x.pow(3), [rand([3, 4])]],
  ["linear", ([x, w, b]) => F.linear(x, w, b), [rand([2, 3, 4]), rand([5, 4]), rand([5])]],
  ["quadraticCost", ([a, y]) => F.quadraticCost(a, y), [rand([3, 4]), rand([3, 4])]],
  ["mseLoss", ([a, y]) => F.mseLoss(a, y), [rand([3, 4]), rand([3, 4])]],
  ["crossEntropy", ([x]) => F.crossEntropy(x, ids()), [rand([4, 5])]],
  ["layerNorm", ([x, w, b]) => F.layerNorm(x, w, b), [rand([3, 5]), rand([5]), rand([5])]],
  ["embedding", ([w]) => F.embedding(w, ids()), [rand([5, 2])]],
  [
    "causalSelfAttention",
    ([x, wa, ba, wp, bp]) => F.causalSelfAttention(x, { cAttn: wa, cAttnBias: ba, cProj: wp, cProjBias: bp }, 2),
    [rand([2, 3, 4]), rand([12, 4]), rand([12]), rand([4, 4]), rand([4])],
  ],
];

test("finite differences agree with autograd for every primitive and composite (float64)", async (t) => {
  await init({ backend: "js" }); // float64 lives on the js backend
  for (const [name, f, inputs] of cases) {
    await t.test(name, () => {
      // a float32 round trip is only differentiable at a coarse step
      const coarse = name === "cast";
      const { maxError } = gradCheck(f, inputs, { eps: coarse ? 1e-2 : 1e-6 });
      assert.ok(maxError < (coarse ? 1e-4 : 1e-6), `${name}: max error ${maxError}`);
    });
  }
});
