// Convolution and pooling: PyTorch reference cases (test/fixtures/conv-torch.json, written by
// scripts/gen-conv-reference.py) on every backend, float64 finite differences, wasm against js, bad shapes.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { init, BACKENDS } from "../../src/backend/index.js";
import { im2col } from "../../src/core/conv.js";
import { ShapeError } from "../../src/core/errors.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import { avgPool2d, conv2d, maxPool2d } from "../../src/nn/conv.js";
import { gradCheck } from "../../src/selftest/gradcheck.js";
import { loadReferenceFile, runReference } from "../../src/selftest/reference.js";
import { ROOT, useBackendOrSkip } from "../helpers.js";

export const CONV_REFERENCE = path.join(ROOT, "test/fixtures/conv-torch.json");

for (const name of BACKENDS) {
  test(`conv2d, max_pool2d and avg_pool2d match PyTorch on the ${name} backend`, async (t) => {
    if (!(await useBackendOrSkip(t, name))) return;
    const file = await loadReferenceFile(CONV_REFERENCE);
    const { report } = runReference(file);
    assert.equal(report.cases, 16);
    assert.deepEqual(new Set(file.cases.map((c) => c.op)), new Set(["conv2d", "max_pool2d", "avg_pool2d"]));
    assert.deepEqual(report.failed, []);
  });
}

const rng = new Rng(5);
const rand = (shape: number[]) => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1.5, 1.5)) });

test("finite differences agree with autograd for im2col, col2im, conv2d and pooling (float64)", async (t) => {
  await init({ backend: "js" });
  const cases: [string, Parameters<typeof gradCheck>[0], ReturnType<typeof rand>[]][] = [
    ["im2col (stride, padding, dilation)", ([x]) => im2col(x, { kernel: [2, 3], stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 1, padValue: 0, layout: "NCHW" }), [rand([2, 2, 4, 5])]],
    ["conv2d groups", ([x, w, b]) => conv2d(x, w, b, { groups: 2, padding: 1, stride: 2 }), [rand([2, 4, 5, 5]), rand([6, 2, 3, 3]), rand([6])]],
    ["conv2d dilation", ([x, w]) => conv2d(x, w, null, { dilation: 2, padding: [2, 1] }), [rand([1, 3, 6, 5]), rand([2, 3, 2, 3])]],
    ["conv2d of conv2d", ([x, w1, w2]) => conv2d(conv2d(x, w1, null, { padding: 1 }).relu(), w2), [rand([2, 1, 5, 5]), rand([3, 1, 3, 3]), rand([2, 3, 2, 2])]],
    ["maxPool2d padding", ([x]) => maxPool2d(x, 3, { stride: 2, padding: 1 }), [rand([2, 2, 5, 6])]],
    ["avgPool2d", ([x]) => avgPool2d(x, [2, 3], { stride: [1, 2] }), [rand([1, 3, 4, 7])]],
  ];
  for (const [name, f, inputs] of cases) {
    await t.test(name, () => {
      const { maxError } = gradCheck(f, inputs);
      assert.ok(maxError < 1e-6, `${name}: max error ${maxError}`);
    });
  }
});

test("the wasm im2col and col2im match the js oracle on odd geometries", async () => {
  type P2 = [number, number];
  const geometries: { image: number[]; kernel: P2; stride: P2; padding: P2; dilation: P2; groups: number }[] = [
    { image: [3, 5, 9, 11], kernel: [3, 4], stride: [2, 3], padding: [2, 3], dilation: [2, 1], groups: 5 },
    { image: [2, 2, 1, 13], kernel: [1, 5], stride: [1, 1], padding: [0, 4], dilation: [1, 3], groups: 1 },
    { image: [1, 1, 6, 6], kernel: [6, 6], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
    // stride 2 along long rows (the SIMD shuffle of 2×2 pooling) and stride 1 along rows over 32 (memory.copy)
    { image: [2, 3, 7, 21], kernel: [2, 3], stride: [1, 2], padding: [0, 1], dilation: [1, 1], groups: 3 },
    { image: [1, 2, 3, 40], kernel: [2, 2], stride: [1, 1], padding: [1, 0], dilation: [1, 2], groups: 1 },
  ];
  for (const { image, ...geometry } of geometries) {
    const g = { image, ...geometry };
    const p = { ...geometry, padValue: -3, layout: "NCHW" as const };
    const data = Array.from({ length: g.image.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1));
    const run = async (backend: string) => {
      await init({ backend });
      const x = ops.tensor(data, g.image).requireGrad();
      const cols = im2col(x, p);
      const up = ops.tensor(Array.from({ length: cols.size }, (_, i) => Math.sin(i)), cols.shape);
      cols.backward(up);
      return { cols: Array.from(cols.toArray()), grad: Array.from(x.grad!.toArray()) };
    };
    const [js, wasm] = [await run("js"), await run("wasm")];
    assert.deepEqual(wasm.cols, js.cols, `im2col ${JSON.stringify(g)}`);
    wasm.grad.forEach((v, i) => assert.ok(Math.abs(v - js.grad[i]) < 1e-5, `col2im ${JSON.stringify(g)} at ${i}: ${v} vs ${js.grad[i]}`));
  }
});

test("bad convolution shapes are ShapeErrors that name the problem", async () => {
  await init({ backend: "js" });
  const x = ops.zeros([1, 3, 5, 5]);
  assert.throws(() => conv2d(x, ops.zeros([4, 2, 3, 3])), (e: unknown) => e instanceof ShapeError && /does not fit 3 input channels/.test(e.message));
  assert.throws(() => conv2d(x, ops.zeros([4, 3, 7, 7])), (e: unknown) => e instanceof ShapeError && /does not fit a 5×5 image/.test(e.message));
  assert.throws(() => conv2d(ops.zeros([3, 5, 5]), ops.zeros([4, 3, 3, 3])), /expected x \[N, C, H, W\]/);
  assert.throws(() => maxPool2d(x, 2, { padding: 2 }), /at most half the kernel/);
  assert.throws(() => im2col(x, { kernel: [2, 2], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, padValue: 0, layout: "NHWC" as "NCHW" }), /expected layout NCHW or CNHW/);
  assert.throws(() => conv2d(x, ops.zeros([4, 3, 3, 3]), null, { stride: 0 }), /positive whole/);
});
