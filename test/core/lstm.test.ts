// The LSTM layer: PyTorch's nn.LSTM on reference cases (test/fixtures/lstm-torch.json, written by
// scripts/reference/gen_lstm_reference.py) on every backend, float64 finite differences through the
// unrolled sequence, the fused wasm step against the composite, the module's parameters, bad shapes.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { init, BACKENDS } from "../../src/backend/index.js";
import { ShapeError } from "../../src/core/errors.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import { LSTM, lstm, lstmCell } from "../../src/nn/lstm.js";
import { gradCheck } from "../../src/selftest/gradcheck.js";
import { loadReferenceFile, runReference } from "../../src/selftest/reference.js";
import { ROOT, useBackendOrSkip } from "../helpers.js";

const LSTM_REFERENCE = path.join(ROOT, "test/fixtures/lstm-torch.json");

for (const name of BACKENDS) {
  test(`the LSTM matches PyTorch's nn.LSTM (outputs, final states, every gradient) on the ${name} backend`, async (t) => {
    if (!(await useBackendOrSkip(t, name))) return;
    const file = await loadReferenceFile(LSTM_REFERENCE);
    const { report } = runReference(file);
    assert.equal(report.cases, 6);
    assert.ok(file.cases.some((c) => c.params.layers === 2), "a two-layer case");
    assert.deepEqual(report.failed, []);
  });
}

const rng = new Rng(9);
const rand = (shape: number[], scale = 1) => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-scale, scale)) });

test("finite differences agree with autograd through an unrolled two-layer LSTM (float64)", async () => {
  await init({ backend: "js" });
  const [B, T, I, H] = [2, 4, 3, 2];
  const weights = (inSize: number) => [rand([4 * H, inSize], 0.8), rand([4 * H, H], 0.8), rand([4 * H], 0.3), rand([4 * H], 0.3)];
  const { maxError } = gradCheck(([x, h, c, ...w]) => {
    const layers = [0, 1].map((l) => ({ weightIh: w[4 * l], weightHh: w[4 * l + 1], biasIh: w[4 * l + 2], biasHh: w[4 * l + 3] }));
    const r = lstm(x, layers, { h, c });
    return ops.concat([r.output, r.state.h, r.state.c].map((t) => ops.reshape(t, [-1])), 0);
  }, [rand([B, T, I]), rand([2, B, H]), rand([2, B, H]), ...weights(I), ...weights(H)]);
  assert.ok(maxError < 1e-6, `max error ${maxError}`);
});

test("a two-layer LSTM on wasm (fused cell steps) matches the js oracle (composite steps), forward and backward", async () => {
  const x = rand([3, 8, 5]);
  const up = rand([3, 8, 6]);
  const run = async (backend: string) => {
    await init({ backend });
    const model = new LSTM(5, 6, { rng: new Rng(3), numLayers: 2 }); // same seed: same weights on both
    const { output, state } = model.forward(ops.tensor(x.data, x.shape));
    assert.deepEqual([output.shape, state.h.shape, state.c.shape], [[3, 8, 6], [2, 3, 6], [2, 3, 6]]);
    // the last output step is the last layer's final hidden state
    assert.deepEqual(Array.from(ops.slice(output, [0, 7, 0], [3, 8, 6]).toArray()), Array.from(ops.slice(state.h, [1, 0, 0], [2, 3, 6]).toArray()));
    ops.sum(ops.mul(output, ops.tensor(up.data, up.shape))).backward();
    return { y: output.toArray(), grads: model.parameters().map((p) => p.grad!.toArray()) };
  };
  const js = await run("js");
  const wasm = await run("wasm");
  const close = (what: string, a: ArrayLike<number>, b: ArrayLike<number>) => {
    for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5 * (1 + Math.abs(b[i])), `${what}[${i}]: wasm ${a[i]}, js ${b[i]}`);
  };
  close("output", wasm.y, js.y);
  wasm.grads.forEach((g, i) => close(`gradient ${i}`, g, js.grads[i]));
});

test("LSTM has PyTorch's parameter names, shapes and count", async () => {
  await init({ backend: "js" });
  const model = new LSTM(10, 20, { rng: new Rng(1), numLayers: 2 });
  assert.deepEqual(
    model.namedParameters().map(([n, p]) => `${n} [${p.shape}]`),
    ["weight_ih_l0 [80,10]", "weight_hh_l0 [80,20]", "bias_ih_l0 [80]", "bias_hh_l0 [80]", "weight_ih_l1 [80,20]", "weight_hh_l1 [80,20]", "bias_ih_l1 [80]", "bias_hh_l1 [80]"],
  );
  // torch.nn.LSTM(10, 20, 2).parameters() holds 5,920 numbers
  assert.equal(model.parameterCount(), 5920);
  const bound = 1 / Math.sqrt(20);
  for (const p of model.parameters()) for (const v of p.toArray()) assert.ok(Math.abs(v) <= bound);
});

test("bad LSTM shapes are ShapeErrors that name the problem", async () => {
  await init({ backend: "js" });
  const model = new LSTM(4, 3, { rng: new Rng(1) });
  assert.throws(() => model.forward(ops.zeros([2, 4])), (e: unknown) => e instanceof ShapeError && /expected x \[B, T, in\]/.test(e.message));
  assert.throws(() => model.forward(ops.zeros([2, 5, 7])), (e: unknown) => e instanceof ShapeError && /weight_ih \[12, 7\]/.test(e.message));
  assert.throws(() => model.forward(ops.zeros([2, 5, 4]), { h: ops.zeros([1, 3, 3]), c: ops.zeros([1, 2, 3]) }), /expected states h and c \[1, 2, 3\]/);
  assert.throws(() => lstmCell(ops.zeros([2, 10]), ops.zeros([2, 3])), /lstmCell: expected gates \[N, 4H\]/);
});
