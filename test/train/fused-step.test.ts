// The wasm backend's fused SGD step for dense MLPs against the composite step (autograd, op by op) on
// the same backend and on the js oracle: the same weights after 50 steps to float32 tolerance, the same
// costs and correct counts, on odd batch and layer sizes; runs the fused step does not cover fall back
// to the composite and still train; and one epoch of `nnlab train mnist` on wasm follows js's curve.
// The step skips blank groups of 4 inputs in the first layer and can take the images' bytes: bytes
// and values give the same bits, on sparse and dense batches and on input widths the fast paths do
// not cover.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import { setBackend } from "../../src/core/engine.js";
import { Rng } from "../../src/core/rng.js";
import { subset } from "../../src/data/batches.js";
import { bytesToUnit, type Dataset } from "../../src/data/dataset.js";
import { loadMnist } from "../../src/data/mnist.js";
import type { MlpCapture } from "../../src/models/mlp.js";
import { makeConfig, type ConfigOverrides, type MnistTrainConfig } from "../../src/train/config.js";
import { MnistTrainer, type StepResult } from "../../src/train/trainer.js";
import { nnlab } from "../helpers.js";

/**
 * Float32 tolerance for weights after 50 steps: |fused − composite| ≤ TOL·(1 + |composite|). The paths
 * round differently (fused multiply-add, summation order, exp vs tanh in σ); after 50 steps of the
 * lesson's net the largest difference seen is about 1e-6.
 */
const TOL = 2e-5;
/**
 * Adam divides each gradient by its own running size, so where a gradient is near zero a rounding
 * difference of the backends (exp vs tanh in σ) becomes a visible step: after 50 steps at lr 1e-2 the
 * composite step on wasm and the composite on js differ by up to 2e-3 (relative), the fused step and
 * the composite on wasm by 1e-6. Across backends Adam runs are held to this bound instead of TOL.
 */
const ADAM_ACROSS_BACKENDS = 5e-3;
const STEPS = 50;

let train: Dataset;

before(async () => {
  await init({ backend: "js" });
  await init({ backend: "wasm" });
  train = subset((await loadMnist()).train, STEPS * 23);
});

type Stepper = (t: MnistTrainer, x: Float32Array, y: Uint8Array, n: number) => StepResult;
const fusedStep: Stepper = (t, x, y, n) => t.step(x, y, n);
const compositeStep: Stepper = (t, x, y, n) => t.compositeStep(x, y, n);

/** A trainer on `backend` (same seed, so the same initial weights on every backend). */
function trainerOn(backend: string, config: MnistTrainConfig): MnistTrainer {
  setBackend(backend);
  return new MnistTrainer(config, { train, test: train });
}

/** Runs 50 steps over consecutive batches of the training images; the results of every step. */
function run(t: MnistTrainer, backend: string, step: Stepper): StepResult[] {
  setBackend(backend);
  const n = t.config.batch;
  const results: StepResult[] = [];
  for (let s = 0; s < STEPS; s++) {
    const x = train.images.subarray(s * n * 784, (s + 1) * n * 784);
    results.push(step(t, x, train.labels.subarray(s * n, (s + 1) * n), n));
  }
  return results;
}

function assertSameRun(what: string, a: MnistTrainer, ra: StepResult[], b: MnistTrainer, rb: StepResult[], tol = TOL): void {
  ra.forEach((r, s) => {
    assert.ok(Math.abs(r.cost - rb[s].cost) <= tol * (1 + Math.abs(rb[s].cost)), `${what}: cost of step ${s} is ${r.cost}, expected ${rb[s].cost}`);
    assert.equal(r.correct, rb[s].correct, `${what}: correct answers in step ${s}`);
  });
  const want = b.model.stateDict();
  for (const [name, got] of Object.entries(a.model.stateDict())) {
    const w = want[name].data;
    got.data.forEach((v, i) => assert.ok(Math.abs(v - w[i]) <= tol * (1 + Math.abs(w[i])), `${what}: ${name}[${i}] is ${v}, expected ${w[i]}`));
  }
}

/** Fused on wasm against the composite on wasm and on js, from the same start, over the same batches. */
function checkAgainstComposite(overrides: ConfigOverrides): void {
  const config = makeConfig("3b1b", { seed: 4, ...overrides });
  const what = JSON.stringify(overrides);
  const fused = trainerOn("wasm", config);
  assert.ok(fused.fusedStep, `${what}: the fused step covers this run`);
  const fusedResults = run(fused, "wasm", fusedStep);
  const composite = trainerOn("wasm", config);
  assertSameRun(`${what} fused vs composite on wasm`, fused, fusedResults, composite, run(composite, "wasm", compositeStep));
  const oracle = trainerOn("js", config);
  assert.equal(oracle.fusedStep, null, "the js backend has no fused step");
  const across = config.optimizer === "adam" ? ADAM_ACROSS_BACKENDS : TOL;
  assertSameRun(`${what} fused on wasm vs js`, fused, fusedResults, oracle, run(oracle, "js", fusedStep), across);
  assert.equal(fused.optimizer.stepCount, STEPS, "the fused step counts its steps on the optimizer");
}

test("the fused step matches the composite on the lesson's network (3b1b preset)", () => {
  checkAgainstComposite({});
});

test("the fused step matches the composite on odd batch and layer sizes, ReLU and cross-entropy", () => {
  checkAgainstComposite({ batch: 1, hidden: [1], lr: 0.5 });
  checkAgainstComposite({ batch: 7, hidden: [3], cost: "cross-entropy", lr: 0.5 });
  checkAgainstComposite({ batch: 7, hidden: [17, 3], activation: "relu", cost: "cross-entropy", lr: 0.1, init: "kaiming" });
  checkAgainstComposite({ batch: 1, hidden: [17], activation: "relu", lr: 0.5, init: "kaiming" });
  // more than 16 rows: the forward products take the packed matmul path
  checkAgainstComposite({ batch: 23, hidden: [16, 16], lr: 1 });
});

test("the fused step with Adam matches the composite step with Adam (the optimizer's adamStep kernel), with and without weight decay", () => {
  checkAgainstComposite({ optimizer: "adam", lr: 1e-2 });
  checkAgainstComposite({ optimizer: "adam", lr: 1e-2, weightDecay: 1e-2, schedule: "cosine" });
  // the modern preset's kind of net at a batch past 16 (the packed matmul path), and odd sizes
  checkAgainstComposite({ optimizer: "adam", lr: 1e-3, batch: 23, hidden: [40], activation: "relu", cost: "cross-entropy", init: "kaiming" });
  checkAgainstComposite({ optimizer: "adam", lr: 1e-3, batch: 7, hidden: [17, 3], activation: "relu", cost: "cross-entropy", init: "kaiming" });
  // no hidden layer: the output layer is the one kept transposed
  checkAgainstComposite({ optimizer: "adam", lr: 1e-2, hidden: [] });
});

test("the fused Adam step keeps its moments in the optimizer's state, so a saved state resumes the same run", () => {
  const config = makeConfig("3b1b", { seed: 6, optimizer: "adam", lr: 1e-2 });
  const whole = trainerOn("wasm", config);
  const halves = trainerOn("wasm", config);
  const batch = (s: number) => [train.images.subarray(s * 10 * 784, (s + 1) * 10 * 784), train.labels.subarray(s * 10, (s + 1) * 10)] as const;
  setBackend("wasm");
  for (let s = 0; s < 20; s++) whole.step(...batch(s), 10);
  for (let s = 0; s < 10; s++) halves.step(...batch(s), 10);
  const saved = halves.optimizer.getState();
  assert.deepEqual(Object.keys(saved.tensors["layers.0.weight"] ?? {}).sort(), ["m", "v"], "the moments are optimizer state");
  // a fresh trainer with the saved weights and state takes the last 10 steps
  const resumed = trainerOn("wasm", config);
  setBackend("wasm");
  resumed.model.loadStateDict(halves.model.stateDict());
  resumed.optimizer.setState(saved);
  for (let s = 10; s < 20; s++) resumed.step(...batch(s), 10);
  const want = whole.model.stateDict();
  for (const [name, got] of Object.entries(resumed.model.stateDict())) assert.deepEqual(got.data, want[name].data, name);
});

test("runs the fused step does not cover fall back to the composite step and still train", () => {
  const cases: ConfigOverrides[] = [{ momentum: 0.9, lr: 0.5 }, { weightDecay: 1e-4 }, { activation: "tanh", lr: 0.5 }];
  for (const overrides of cases) {
    const t = trainerOn("wasm", makeConfig("3b1b", { seed: 2, ...overrides }));
    assert.equal(t.fusedStep, null, `${JSON.stringify(overrides)} runs the composite step`);
    const costs = run(t, "wasm", fusedStep).map((r) => r.cost);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(mean(costs.slice(-10)) < mean(costs.slice(0, 10)), `${JSON.stringify(overrides)}: cost falls (${mean(costs.slice(0, 10))} → ${mean(costs.slice(-10))})`);
  }
});

test("a step that captures z and a runs the composite path, which records every layer", () => {
  const t = trainerOn("wasm", makeConfig("3b1b", { seed: 2 }));
  assert.ok(t.fusedStep);
  const capture: MlpCapture = { z: [], a: [] };
  setBackend("wasm");
  t.step(train.images.subarray(0, 10 * 784), train.labels.subarray(0, 10), 10, capture);
  assert.deepEqual(capture.z.map((z) => z.shape), [[10, 16], [10, 16], [10, 10]]);
  assert.equal(capture.a.length, 4);
  assert.equal(t.optimizer.stepCount, 1);
});

test("the fused step rejects a label outside the output classes", () => {
  const t = trainerOn("wasm", makeConfig("3b1b", { seed: 2 }));
  setBackend("wasm");
  assert.throws(() => t.step(train.images.subarray(0, 784), Uint8Array.of(10), 1), /labels from 0 to 9.*found 10/s);
});

interface EpochJson {
  history: { train_accuracy: number; train_cost: number; test_accuracy: number }[];
}

test("one epoch of `nnlab train mnist` on wasm (fused step) follows the js backend's accuracy curve", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "nnlab-fused-"));
  try {
    const epoch = async (backend: string) => {
      const r = await nnlab("train", "mnist", "--epochs", "1", "--backend", backend, "--json", "--out", path.join(dir, backend));
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as EpochJson).history[0];
    };
    const [wasm, js] = [await epoch("wasm"), await epoch("js")];
    // The running training accuracy and cost average over the whole epoch; they agree to 0.1 point.
    // The test accuracy is a snapshot of weights that, at η = 3.0, drift apart from the first float32
    // rounding difference on (about 1e-7 at the start, order 1 after 3,000 steps) and wobble by about a
    // point from step to step, so it only has to agree to the width of that wobble.
    assert.ok(Math.abs(wasm.train_accuracy - js.train_accuracy) <= 0.001, `training accuracy ${wasm.train_accuracy} on wasm, ${js.train_accuracy} on js`);
    assert.ok(Math.abs(wasm.train_cost - js.train_cost) <= 0.01 * js.train_cost, `training cost ${wasm.train_cost} on wasm, ${js.train_cost} on js`);
    assert.ok(Math.abs(wasm.test_accuracy - js.test_accuracy) <= 0.015, `test accuracy ${wasm.test_accuracy} on wasm, ${js.test_accuracy} on js`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** A trainer of the 3b1b kind (sigmoid, quadratic cost, SGD or Adam) whose net has other sizes, on the given backend. */
function trainerWithSizes(backend: string, sizes: number[], seed: number, optimizer: "sgd" | "adam" = "sgd"): MnistTrainer {
  const base = makeConfig("3b1b", { seed, optimizer, lr: optimizer === "adam" ? 1e-2 : 1 });
  const none: Dataset = { images: new Float32Array(sizes[0]), labels: Uint8Array.of(0), count: 1, rows: 1, cols: sizes[0] };
  setBackend(backend);
  return new MnistTrainer({ ...base, model: { ...base.model, sizes } }, { train: none, test: none });
}

/**
 * Batches of bytes, n rows of `width`: "sparse" blanks three groups of 4 in every four (as MNIST's paper
 * around the digit), "dense" blanks none; between them every byte value 0…255 occurs.
 */
function byteBatch(kind: "sparse" | "dense", n: number, width: number, rng: Rng): Uint8Array {
  const bytes = new Uint8Array(n * width);
  for (let i = 0; i < bytes.length; i++) {
    const blank = kind === "sparse" && (Math.floor((i % width) / 4) * 7 + Math.floor(i / width)) % 4 !== 0;
    bytes[i] = blank ? 0 : (i * 37 + Math.floor(rng.uniform() * 256)) & 255;
  }
  return bytes;
}

test("the fused step on the images' bytes gives the same bits as on their values, sparse or dense, any input width, SGD or Adam", () => {
  const rng = new Rng(12);
  // 784 and 48: whole 16-byte chunks; 12 and 7: a tail of single bytes after them (or nothing but one)
  for (const [width, optimizer, hidden] of [[784, "sgd", 9], [48, "sgd", 9], [12, "sgd", 9], [7, "sgd", 9], [784, "adam", 37], [40, "adam", 9], [7, "adam", 3]] as const) {
    for (const kind of ["sparse", "dense"] as const) {
      const what = `${width} inputs, ${kind}, ${optimizer}`;
      const fromValues = trainerWithSizes("wasm", [width, hidden, 3], 5, optimizer);
      const fromBytes = trainerWithSizes("wasm", [width, hidden, 3], 5, optimizer);
      const oracle = trainerWithSizes("js", [width, hidden, 3], 5, optimizer);
      const tol = optimizer === "adam" ? ADAM_ACROSS_BACKENDS : TOL;
      for (let s = 0; s < 5; s++) {
        const n = s === 4 ? 1 : 10;
        const bytes = byteBatch(kind, n, width, rng);
        const labels = Uint8Array.from({ length: n }, (_, i) => (i * 7 + s) % 3);
        const values = bytesToUnit(bytes);
        setBackend("wasm");
        const a = fromValues.step(values, labels, n);
        const b = fromBytes.fusedStep!(bytes, labels, n);
        assert.deepEqual(b, a, `${what}: cost and correct count of step ${s}`);
        setBackend("js");
        const c = oracle.step(values, labels, n);
        assert.ok(Math.abs(a.cost - c.cost) <= tol * (1 + Math.abs(c.cost)), `${what}: cost of step ${s} is ${a.cost}, the composite's ${c.cost}`);
      }
      const want = fromValues.model.stateDict();
      for (const [name, got] of Object.entries(fromBytes.model.stateDict())) assert.deepEqual(got.data, want[name].data, `${what}: ${name}`);
      const composite = oracle.model.stateDict();
      for (const [name, got] of Object.entries(want)) {
        const w = composite[name].data;
        got.data.forEach((v, i) => assert.ok(Math.abs(v - w[i]) <= tol * (1 + Math.abs(w[i])), `${what}: ${name}[${i}] is ${v}, the composite's ${w[i]}`));
      }
    }
  }
});

test("an epoch on the images' bytes (many fused steps a call) ends where one step at a time on their values ends", () => {
  const small = subset(train, 1003); // 101 batches of 10 (the last of 3): two calls of the fused steps
  assert.ok(small.pixels, "MNIST keeps the bytes it was read from");
  const { pixels, ...values } = small;
  assert.equal(pixels.length, small.images.length);
  const cases: ConfigOverrides[] = [
    {},
    { schedule: "cosine", epochs: 2 },
    { batch: 7, hidden: [17], activation: "relu", cost: "cross-entropy", lr: 0.1, init: "kaiming" },
    { batch: 7, hidden: [17], activation: "relu", cost: "cross-entropy", lr: 1e-3, init: "kaiming", optimizer: "adam", schedule: "cosine", epochs: 2 },
  ];
  for (const overrides of cases) {
    const config = makeConfig("3b1b", { seed: 3, ...overrides });
    setBackend("wasm");
    const withBytes = new MnistTrainer(config, { train: small, test: small });
    const withValues = new MnistTrainer(config, { train: values, test: small });
    assert.ok(withBytes.fusedSteps && withValues.fusedStep);
    for (let e = 0; e < config.epochs && e < 2; e++) {
      const events: number[] = [];
      const a = withBytes.trainEpoch((ev) => ev.type === "batch" && events.push(ev.batch));
      const b = withValues.trainEpoch();
      assert.deepEqual({ ...a, seconds: 0 }, { ...b, seconds: 0 }, JSON.stringify(overrides));
      assert.deepEqual(events, Array.from({ length: withBytes.batchesPerEpoch }, (_, i) => i + 1), "an event per batch, in order");
    }
    assert.equal(withBytes.optimizer.stepCount, withValues.optimizer.stepCount);
    const want = withValues.model.stateDict();
    for (const [name, got] of Object.entries(withBytes.model.stateDict())) assert.deepEqual(got.data, want[name].data, `${JSON.stringify(overrides)}: ${name}`);
  }
});

test("many fused steps a call end where one step at a time ends, on rows the sparse index takes and on rows too wide for it", () => {
  const rng = new Rng(21);
  // 40 inputs: the data set's sparse index; 65,540: wider than its 16-bit inputs, so the steps copy
  // and list each batch's bytes instead
  for (const [width, optimizer] of [[40, "sgd"], [40, "adam"], [65540, "sgd"], [65540, "adam"]] as const) {
    const what = `${width} inputs, ${optimizer}`;
    const count = 23; // batches of 10, 10 and 3
    const pixels = byteBatch("sparse", count, width, rng);
    const labels = Uint8Array.from({ length: count }, (_, i) => (i * 5) % 3);
    const withBytes: Dataset = { images: bytesToUnit(pixels), pixels, labels, count, rows: 1, cols: width };
    const { pixels: _, ...withValues } = withBytes;
    const config = makeConfig("3b1b", { seed: 6, optimizer, lr: optimizer === "adam" ? 1e-2 : 1, batch: 10 });
    const sized = { ...config, model: { ...config.model, sizes: [width, 5, 3] } };
    setBackend("wasm");
    const many = new MnistTrainer(sized, { train: withBytes, test: withBytes });
    const one = new MnistTrainer(sized, { train: withValues, test: withBytes });
    assert.ok(many.fusedSteps && one.fusedStep, `${what}: both take the fused path`);
    for (let e = 0; e < 2; e++) assert.deepEqual({ ...many.trainEpoch(), seconds: 0 }, { ...one.trainEpoch(), seconds: 0 }, `${what}: epoch ${e + 1}`);
    const want = one.model.stateDict();
    for (const [name, got] of Object.entries(many.model.stateDict())) assert.deepEqual(got.data, want[name].data, `${what}: ${name}`);
  }
});

test("the fused steps stop at a cost that is not finite, and the epoch reports that batch", () => {
  // the recipe of validation.test.ts's diverging run: ReLU, cross-entropy, η = 1000, one image a step
  const few = subset(train, 5);
  const config = makeConfig("3b1b", { seed: 3, activation: "relu", cost: "cross-entropy", lr: 1000, batch: 1, epochs: 10 });
  setBackend("wasm");
  const t = new MnistTrainer(config, { train: few, test: few });
  assert.ok(t.fusedSteps);
  let last = 0;
  let epochs = 0;
  assert.throws(() => {
    for (; epochs < config.epochs; epochs++) {
      last = 0;
      t.trainEpoch((ev) => ev.type === "batch" && (last = ev.batch));
    }
  }, /diverged.*NaN/s);
  // the diverged batch gets no event: `last` good batches of this epoch came before it
  assert.equal(t.optimizer.stepCount, epochs * t.batchesPerEpoch + last + 1, "the steps ran up to and including the one that diverged, and no further");
});
