// The pieces of the facts modules that the web lab's lesson 7 runs step by step or with its sliders: the
// Packer stepped by hand ends where packVectors does, the AND gate's GELU is the engine's, and a neuron
// built from slider weights is the lesson's neuron at (1, 1, −1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import { activate, alongNamed, andGateNeuron, fire, handBuiltNeuron, residualOf, residualSpace } from "../../src/lab/facts/and-gate-circuit.js";
import { Packer, packVectors, randomUnitVectors } from "../../src/lab/facts/packing.js";
import { anglesOf } from "../../src/lab/facts/superposition-model.js";

test("a Packer stepped one step at a time ends exactly where packVectors does, and stops at its schedule's end", async () => {
  await init();
  const [k, n] = [60, 8];
  const start = randomUnitVectors(k, n, new Rng(5));
  const opts = { penalty: "exp" as const, steps: 25, rowsPerStep: 20 };
  const whole = packVectors(start, k, n, { ...opts, rng: new Rng(9) });
  const packer = new Packer(start, k, n, { ...opts, rng: new Rng(9) });
  try {
    const losses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const loss = packer.step();
      assert.ok(loss !== null, `step ${i} taken`);
      losses.push(loss);
      // looking at the vectors between steps changes nothing
      packer.vectors();
    }
    assert.equal(packer.step(), null, "no step after the schedule's end");
    assert.equal(packer.steps, 25);
    assert.deepEqual(losses, whole.losses);
    assert.deepEqual(packer.vectors(), whole.vectors);
  } finally {
    packer.dispose();
  }
});

test("the AND gate's GELU is the engine's Tensor.gelu('tanh'); ReLU is max(0, z)", async () => {
  await init();
  const zs = [-3, -1, -0.5, 0, 0.25, 1, 2.5];
  const engine = ops.tensor(Float32Array.from(zs), [zs.length]).gelu("tanh").toArray();
  zs.forEach((z, i) => {
    assert.ok(Math.abs(activate(z, "gelu") - engine[i]) < 1e-6, `GELU(${z}): ${activate(z, "gelu")} vs engine ${engine[i]}`);
    assert.equal(activate(z, "relu"), Math.max(0, z));
  });
});

test("a neuron from slider weights: (1, 1, −1) is the lesson's; z and the activation follow w_M·[Michael] + w_J·[Jordan] + b", () => {
  const space = residualSpace(12, new Rng(7));
  const hand = handBuiltNeuron(space);
  const same = andGateNeuron(space, { michael: 1, jordan: 1, bias: -1 });
  assert.deepEqual(same, hand);
  const neuron = andGateNeuron(space, { michael: 0.5, jordan: 2, bias: -1.5 });
  const along = alongNamed(space, neuron.up);
  assert.ok(Math.abs(along.Michael - 0.5) < 1e-6 && Math.abs(along.Jordan - 2) < 1e-6 && Math.abs(along.Phelps) < 1e-6);
  for (const [names, z] of [
    [["Michael", "Phelps"], 0.5 - 1.5],
    [["Jordan"], 2 - 1.5],
    [["Michael", "Jordan"], 2.5 - 1.5],
  ] as const) {
    const f = fire(neuron, space, residualOf(space, [...names]), "gelu");
    assert.ok(Math.abs(f.z - z) < 1e-5, `${names}: z ${f.z} vs ${z}`);
    assert.ok(Math.abs(f.neuron - activate(z, "gelu")) < 1e-5);
    assert.ok(Math.abs(f.basketballScore - f.neuron) < 1e-5, "the column is the unit basketball direction");
  }
});

test("anglesOf: the directions of the represented columns of a 2 × n W, in degrees", () => {
  // columns (1, 0), (0, 2), (−0.1, 0.1) (too short: dropped), (−1, −1)
  const w = Float32Array.from([1, 0, -0.1, -1, 0, 2, 0.1, -1]);
  const norms = [1, 2, Math.hypot(0.1, 0.1), Math.SQRT2];
  const angles = anglesOf(w, 4, norms);
  assert.deepEqual(angles.map((a) => Math.round(a * 1e6) / 1e6), [0, 90, 225]);
});
