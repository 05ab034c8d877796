// Randomized comparisons of every wasm kernel against the js oracle on odd shapes: 1×1, primes,
// sizes that are not multiples of the SIMD width or the matmul tiles, empty axes and broadcasting.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import { agree, floats, ints, wholes } from "./oracle.js";

before(async () => {
  await init({ backend: "wasm" });
});

const rng = new Rng(7);
const SHAPES = [[], [1], [1, 1], [7], [3, 5, 7], [0, 3], [13, 17], [2, 0, 5], [1031]];

test("unary kernels match the js oracle", () => {
  for (const shape of SHAPES) {
    agree(`neg ${shape}`, ([x]) => ops.neg(x), [floats(rng, shape)], 0);
    agree(`sqrt ${shape}`, ([x]) => ops.sqrt(x), [floats(rng, shape, 0, 9)]);
    agree(`exp ${shape}`, ([x]) => ops.exp(x), [floats(rng, shape, -20, 20)]);
    agree(`log ${shape}`, ([x]) => ops.log(x), [floats(rng, shape, 1e-6, 1e3)]);
    agree(`tanh ${shape}`, ([x]) => ops.tanh(x), [floats(rng, shape, -12, 12)]);
    agree(`erf ${shape}`, ([x]) => ops.erf(x), [floats(rng, shape, -5, 5)]);
    agree(`erf near 0 ${shape}`, ([x]) => ops.erf(x), [floats(rng, shape, -1e-3, 1e-3)], 1e-6);
  }
});

const PAIRS: [number[], number[]][] = [
  [[3, 5], [3, 5]],
  [[3, 5], [5]],
  [[3, 1], [1, 5]],
  [[2, 3, 5], [3, 1]],
  [[1], [7, 9]],
  [[0, 4], [4]],
  [[13, 17], [1, 1]],
  [[], [2, 3]],
  [[2, 1, 3, 1], [1, 4, 1, 5]],
  [[4, 1, 6], [4, 5, 6]],
  [[37, 41], [41]],
];

test("binary kernels with broadcasting match the js oracle", () => {
  const binaries = { add: ops.add, sub: ops.sub, mul: ops.mul, maximum: ops.maximum, greater: ops.greater, equal: ops.equal };
  for (const [sa, sb] of PAIRS) {
    for (const [name, op] of Object.entries(binaries)) {
      agree(`${name} ${sa} ${sb}`, ([a, b]) => op(a, b), [wholes(rng, sa), wholes(rng, sb)], 0);
      agree(`${name} ${sb} ${sa}`, ([a, b]) => op(a, b), [floats(rng, sb), floats(rng, sa)]);
    }
    agree(`div ${sa} ${sb}`, ([a, b]) => ops.div(a, b), [floats(rng, sa), floats(rng, sb, 0.5, 3)]);
    agree(`add int32 ${sa} ${sb}`, ([a, b]) => ops.add(a, b), [ints(rng, sa, 100), ints(rng, sb, 100)], 0);
  }
  agree("maximum with NaN", ([a, b]) => ops.maximum(a, b), [{ data: new Float32Array([NaN, 1, 2, NaN, 5]), shape: [5] }, floats(rng, [5])], 0);
});

test("where matches the js oracle (float and int32 conditions, broadcasting)", () => {
  for (const [sa, sb] of PAIRS) {
    agree(`where ${sa} ${sb}`, ([c, a, b]) => ops.where(c, a, b), [wholes(rng, sa, 2), floats(rng, sa), floats(rng, sb)], 0);
    agree(`where int ${sb} ${sa}`, ([c, a, b]) => ops.where(c, a, b), [ints(rng, sb, 2), floats(rng, sa), floats(rng, [1])], 0);
  }
});

test("reductions match the js oracle over every axis set", () => {
  const axesSets = [[], [0], [1], [2], [0, 1], [1, 2], [0, 2], [0, 1, 2]];
  for (const shape of [[3, 4, 5], [1, 1, 1], [7, 1, 13], [2, 0, 3], [5, 9, 67]]) {
    for (const axes of axesSets) {
      for (const keep of [false, true]) {
        agree(`sum ${shape} ${axes} ${keep}`, ([x]) => ops.sum(x, axes, keep), [floats(rng, shape)]);
        if (!axes.some((a) => shape[a] === 0)) agree(`max ${shape} ${axes}`, ([x]) => ops.max(x, axes, keep), [wholes(rng, shape, 9)], 0);
      }
    }
    for (let axis = 0; axis < 3; axis++) {
      if (shape[axis] > 0) agree(`argmax ${shape} ${axis}`, ([x]) => ops.argmax(x, axis), [wholes(rng, shape, 5)], 0);
    }
  }
  // each column's float64 sum in row order, as the oracle sums it: equal to the bit, in the wasm
  // kernel's blocks of 16, 2 and 1 columns
  for (const cols of [1, 2, 3, 16, 17, 35, 50]) agree(`sum over rows, ${cols} columns`, ([x]) => ops.sum(x, [0]), [floats(rng, [23, cols], -1e3, 1e3)], 0);
  // argmax over rows of 4 or more takes a vector path: ties, signed zeros and NaNs where the loop gives
  // the first maximum, and a NaN never beats an earlier value
  const awkward = [0, -0, NaN, 1, 1, -Infinity, -1, 0];
  for (const red of [4, 5, 8, 9, 13]) {
    const data = new Float32Array(7 * red);
    for (let i = 0; i < data.length; i++) data[i] = awkward[rng.int(awkward.length)];
    agree(`argmax of ${red} awkward values`, ([x]) => ops.argmax(x, 1), [{ data, shape: [7, red] }], 0);
  }
  agree("sum of a long row", ([x]) => ops.sum(x), [floats(rng, [100003])]);
  agree("sum int32", ([x]) => ops.sum(x, [1]), [ints(rng, [3, 11], 50)], 0);
});

test("matmul matches the js oracle for every transpose case, odd sizes and batching", () => {
  const sizes = [1, 3, 4, 5, 8, 9, 17, 33];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      const shapeA = (m: number, k: number) => (transA ? [k, m] : [m, k]);
      const shapeB = (k: number, n: number) => (transB ? [n, k] : [k, n]);
      const f = ([a, b]: Tensor[]) => ops.matmul(a, b, { transA, transB });
      for (let trial = 0; trial < 12; trial++) {
        const [m, n, k] = [0, 1, 2].map(() => sizes[rng.int(sizes.length)]);
        agree(`matmul ${m}x${n}x${k} ${transA} ${transB}`, f, [floats(rng, shapeA(m, k)), floats(rng, shapeB(k, n))]);
      }
      // beyond one cache block in n (256) and in k (512: later k-blocks add into C), with ragged edges;
      // 23 and 24 rows end in 1-row and 4-row tiles
      agree(`matmul 37x263x301 ${transA} ${transB}`, f, [floats(rng, shapeA(37, 301)), floats(rng, shapeB(301, 263))], 1e-4);
      agree(`matmul 23x263x601 ${transA} ${transB}`, f, [floats(rng, shapeA(23, 601)), floats(rng, shapeB(601, 263))], 1e-4);
      agree(`matmul 24x9x515 ${transA} ${transB}`, f, [floats(rng, shapeA(24, 515)), floats(rng, shapeB(515, 9))], 1e-4);
      agree(`matmul 10x16x784 ${transA} ${transB}`, f, [floats(rng, shapeA(10, 784), 0, 1), floats(rng, shapeB(784, 16))], 1e-4);
      // empty dimensions
      agree(`matmul k=0 ${transA} ${transB}`, f, [floats(rng, shapeA(3, 0)), floats(rng, shapeB(0, 5))], 0);
      agree(`matmul m=0 ${transA} ${transB}`, f, [floats(rng, shapeA(0, 4)), floats(rng, shapeB(4, 5))], 0);
      // batched, with broadcast batch axes
      const a = floats(rng, [2, 1, ...shapeA(5, 7)]);
      const b = floats(rng, [3, ...shapeB(7, 9)]);
      agree(`batched matmul ${transA} ${transB}`, f, [a, b]);
    }
  }
});

test("data movement and indexing kernels match the js oracle", () => {
  const x = floats(rng, [3, 4, 5]);
  agree("permute", ([t]) => ops.permute(t, [2, 0, 1]), [x], 0);
  agree("transpose", ([t]) => ops.permute(t, [1, 0]), [floats(rng, [7, 13])], 0);
  agree("broadcastTo", ([t]) => ops.broadcastTo(t, [2, 3, 4, 5]), [floats(rng, [3, 1, 5])], 0);
  agree("slice", ([t]) => ops.slice(t, [1, 0, 2], [3, 3, 5]), [x], 0);
  agree("pad", ([t]) => ops.pad(t, [1, 0, 2], [0, 3, 1]), [x], 0);
  agree("concat", ([a, b]) => ops.concat([a, b], 1), [x, floats(rng, [3, 2, 5])], 0);
  agree("gather", ([t, ids]) => ops.gather(t, ids), [floats(rng, [11, 6]), ints(rng, [3, 4], 11)], 0);
  agree("scatterAdd", ([ids, src]) => ops.scatterAdd(ids, src, 7), [ints(rng, [13], 7), floats(rng, [13, 5])]);
  // rows of whole vectors and a tail, repeated ids (added in order), int32 tables
  agree("gather of wide rows", ([t, ids]) => ops.gather(t, ids), [floats(rng, [9, 2, 11]), ints(rng, [5, 7], 9)], 0);
  agree("gather of int32 rows", ([t, ids]) => ops.gather(t, ids), [ints(rng, [9, 3], 100), ints(rng, [6], 9)], 0);
  agree("scatterAdd of wide rows", ([ids, src]) => ops.scatterAdd(ids, src, 3), [ints(rng, [2, 20], 3), floats(rng, [2, 20, 19])]);
  agree("scatterAdd of int32 rows", ([ids, src]) => ops.scatterAdd(ids, src, 4), [ints(rng, [9], 4), ints(rng, [9, 3], 100)], 0);
  agree("oneHot", ([ids]) => ops.oneHot(ids, 10), [ints(rng, [17], 10)], 0);
  agree("cast to int32", ([t]) => ops.cast(t, "int32"), [floats(rng, [19], -50, 50)], 0);
  agree("cast to float32", ([t]) => ops.cast(t, "float32"), [ints(rng, [19], 1000)], 0);
});

test("gather and scatterAdd refuse an id out of range as the js kernels do", () => {
  const table = ops.tensor(new Float32Array(12), [4, 3]);
  const ids = ops.tensor(Int32Array.from([0, 2, 4, 1]), [4], "int32");
  assert.throws(() => ops.gather(table, ids), /^NnlabError: gather: id 4 is out of range; expected 0 <= id < 4$/);
  assert.throws(() => ops.gather(table, ops.tensor(Int32Array.from([-1]), [1], "int32")), /gather: id -1 is out of range/);
  assert.throws(() => ops.scatterAdd(ids, ops.tensor(new Float32Array(12), [4, 3]), 4), /^NnlabError: scatterAdd: id 4 is out of range; expected 0 <= id < 4$/);
});

test("strided copies (permute, broadcast, slice, pad, concat) match the js oracle on random shapes", () => {
  const dims = () => Array.from({ length: 1 + rng.int(5) }, () => 1 + rng.int(7)); // rank 1..5, sizes 1..7
  for (let trial = 0; trial < 40; trial++) {
    const shape = dims();
    const rank = shape.length;
    const x = trial % 3 === 0 ? ints(rng, shape, 100) : floats(rng, shape);
    const perm = Array.from({ length: rank }, (_, i) => i);
    for (let i = rank - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    agree(`permute ${shape} by ${perm}`, ([t]) => ops.permute(t, perm), [x], 0);
    const begin = shape.map((d) => rng.int(d));
    const end = shape.map((d, i) => begin[i] + 1 + rng.int(d - begin[i]));
    agree(`slice ${shape} ${begin}..${end}`, ([t]) => ops.slice(t, begin, end), [x], 0);
    const before = shape.map(() => rng.int(3));
    const after = shape.map(() => rng.int(3));
    agree(`pad ${shape} ${before}/${after}`, ([t]) => ops.pad(t, before, after), [x], 0);
    const axis = rng.int(rank);
    const other = shape.map((d, i) => (i === axis ? 1 + rng.int(4) : d));
    agree(`concat ${shape} + ${other} on ${axis}`, ([a, b]) => ops.concat([a, b, a], axis), [x, trial % 3 === 0 ? ints(rng, other, 100) : floats(rng, other)], 0);
    const target = [1 + rng.int(3), ...shape.map((d) => (rng.int(2) ? d : 1 + rng.int(5)))];
    const source = shape.map((d, i) => (target[i + 1] === d && rng.int(2) ? d : 1));
    agree(`broadcastTo ${source} -> ${target}`, ([t]) => ops.broadcastTo(t, target), [floats(rng, source)], 0);
  }
});
