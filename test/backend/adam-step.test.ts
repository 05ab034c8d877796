// The wasm backend's one-pass Adam/AdamW update (Backend.adamStep, used by src/optim/adam.ts) against
// the optimizer's composite update on the js backend, over several steps, odd sizes and weight decay.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import { getBackend, setBackend } from "../../src/core/engine.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import { Adam, AdamW } from "../../src/optim/adam.js";
import { floats } from "./oracle.js";

before(async () => {
  await init({ backend: "wasm" });
});

/** Parameter values after `steps` updates with the given gradients, on `backend`. */
function train(backend: string, make: (params: [string, Tensor][]) => Adam, start: Float32Array[], shapes: number[][], grads: Float32Array[][]): Float32Array[] {
  setBackend(backend);
  const params = start.map((d, i) => ops.tensor(d, shapes[i]).requireGrad());
  const opt = make(params.map((p, i) => [`p${i}`, p]));
  for (const step of grads) {
    params.forEach((p, i) => (p.grad = ops.tensor(step[i], shapes[i])));
    opt.step();
    opt.zeroGrad();
  }
  return params.map((p) => p.toArray() as Float32Array);
}

test("the wasm Adam/AdamW step matches the composite update over several steps", () => {
  assert.ok(getBackend().adamStep, "the wasm backend has adamStep");
  const rng = new Rng(3);
  const shapes = [[7], [13, 5], [1], [33, 3]]; // sizes 7, 65, 1, 99: none a multiple of 4 only
  const start = shapes.map((s) => floats(rng, s).data as Float32Array);
  const grads = Array.from({ length: 5 }, () => shapes.map((s) => floats(rng, s, -3, 3).data as Float32Array));
  const makers: [string, (ps: [string, Tensor][]) => Adam][] = [
    ["Adam", (ps) => new Adam(ps, { lr: 0.01 })],
    ["Adam + L2", (ps) => new Adam(ps, { lr: 0.02, weightDecay: 0.1, betas: [0.8, 0.95] })],
    ["AdamW", (ps) => new AdamW(ps, { lr: (step) => 0.01 * (step + 1), weightDecay: 0.1, eps: 1e-6 })],
  ];
  for (const [name, make] of makers) {
    const want = train("js", make, start, shapes, grads);
    const got = train("wasm", make, start, shapes, grads);
    want.forEach((w, i) => {
      for (let j = 0; j < w.length; j++) {
        assert.ok(Math.abs(got[i][j] - w[j]) <= 1e-5 * (1 + Math.abs(w[j])), `${name}: parameter ${i}[${j}] is ${got[i][j]}, the composite gives ${w[j]}`);
      }
      assert.notDeepEqual(Array.from(w), Array.from(start[i]), `${name}: parameter ${i} moved`);
    });
  }
});
