// Outputs that are not zeroed (Backend.allocUninit, for the ops in WRITES_EVERY_ELEMENT): on a wasm heap
// that fills every such output with NaN before the kernel runs, each listed op (edge shapes included:
// k = 0 products, broadcasting, int32) and whole training steps (a GPT with bias and dropout, a CNN, a
// char LSTM) give exactly what they give on an ordinary heap, so no kernel reads an element it has not
// written. The native backend shares these kernels except its products, checked in native.test.ts.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import { createWasmBackend } from "../../src/backend/wasm/index.js";
import { registerBackend, setBackend, tidy } from "../../src/core/engine.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import * as F from "../../src/nn/functional.js";
import { CharLSTM } from "../../src/models/char-lstm.js";
import { ConvNet } from "../../src/models/cnn.js";
import { makeGptConfig } from "../../src/train/gpt-config.js";
import { GptTrainer, LanguageModelTrainer } from "../../src/train/gpt-trainer.js";
import { AdamW } from "../../src/optim/adam.js";
import { floats, ints, type Input } from "./oracle.js";

before(async () => {
  await init({ backend: "wasm" });
  registerBackend(await createWasmBackend({ threads: 1, name: "wasm-plain" }));
  registerBackend(await createWasmBackend({ threads: 1, name: "wasm-poisoned", poisonUninit: true }));
});

/** f on both heaps from the same inputs: the same bits, and never a NaN the inputs did not have. */
function same(what: string, f: (xs: Tensor[]) => Tensor, inputs: readonly Input[]): void {
  const on = (name: string) => {
    setBackend(name);
    return tidy(() => f(inputs.map((x) => ops.tensor(x.data, x.shape, x.data instanceof Int32Array ? "int32" : "float32"))).toArray());
  };
  const plain = on("wasm-plain");
  const poisoned = on("wasm-poisoned");
  assert.deepEqual(poisoned, plain, `${what}: an output element was read before it was written`);
}

const rng = new Rng(41);

test("every op that skips zeroing writes every element of its output", () => {
  for (const shape of [[1], [7], [3, 5], [2, 3, 17]]) {
    const x = floats(rng, shape);
    const y = floats(rng, shape);
    for (const op of ["neg", "exp", "tanh", "erf", "sigmoid", "gelu"] as const) same(`${op} ${shape}`, ([a]) => (op === "gelu" ? a.gelu("tanh") : op === "sigmoid" ? a.sigmoid() : (ops[op] as (t: Tensor) => Tensor)(a)), [x]);
    same(`log/sqrt ${shape}`, ([a]) => ops.add(ops.log(ops.add(ops.mul(a, a), 1)), ops.sqrt(ops.mul(a, a))), [x]);
    for (const op of ["add", "sub", "mul", "div", "maximum", "greater", "equal"] as const) same(`${op} ${shape}`, ([a, b]) => (ops[op] as (p: Tensor, q: Tensor) => Tensor)(a, b), [x, y]);
    same(`where ${shape}`, ([a, b]) => ops.where(ops.greater(a, b), a, b), [x, y]);
    same(`softmax/logSoftmax ${shape}`, ([a]) => ops.add(a.softmax(), a.logSoftmax()), [x]);
  }
  same("broadcast add", ([a, b]) => ops.add(a, b), [floats(rng, [4, 1, 3]), floats(rng, [5, 1])]);
  same("int32 add and equal", ([a, b]) => ops.add(ops.add(a, b), ops.equal(a, b)), [ints(rng, [6, 7], 5), ints(rng, [6, 7], 5)]);
  for (const [m, n, k] of [[3, 4, 0], [1, 1, 1], [5, 7, 3], [33, 17, 65]]) {
    same(`matmul ${m}×${n}×${k}`, ([a, b]) => ops.matmul(a, b), [floats(rng, [m, k]), floats(rng, [k, n])]);
    same(`matmul transposed ${m}×${n}×${k}`, ([a, b]) => ops.matmul(a, b, { transA: true, transB: true }), [floats(rng, [k, m]), floats(rng, [n, k])]);
    same(`linear ${m}×${n}×${k}`, ([a, w, b]) => F.linear(a, w, b), [floats(rng, [m, k]), floats(rng, [n, k]), floats(rng, [n])]);
  }
  same("batched matmul with broadcasting", ([a, b]) => ops.matmul(a, b), [floats(rng, [2, 1, 3, 4]), floats(rng, [3, 4, 5])]);
  const x = floats(rng, [2, 3, 4]);
  same("permute, slice, broadcastTo, concat", ([a]) => ops.concat([ops.permute(a, [2, 0, 1]), ops.broadcastTo(ops.slice(a, [0, 0, 0], [1, 3, 4]), [4, 2, 3, 4]).reshape([4, 6, 4]).slice([0, 0, 0], [4, 2, 3])], 1), [x]);
  same("layer norm", ([a, w, b]) => F.layerNorm(a, w, b), [floats(rng, [5, 12]), floats(rng, [12]), floats(rng, [12])]);
  for (const shape of [[2, 3, 17, 8], [1, 1, 5, 0]]) {
    same(`causal attention ${shape}`, ([q, k, v]) => F.scaledDotProductAttention(q, k, v, { causal: true }), [floats(rng, shape), floats(rng, shape), floats(rng, shape)]);
  }
});

/** Trains `steps` steps on both heaps and returns every parameter's values after them. */
function trainBoth(train: () => Float32Array[]): void {
  setBackend("wasm-plain");
  const plain = train();
  setBackend("wasm-poisoned");
  const poisoned = train();
  assert.deepEqual(poisoned, plain, "a training step read an output element before it was written");
}

test("GPT, CNN and LSTM training steps give the same bits with and without zeroed outputs", () => {
  const text = "to be, or not to be: that is the question. ".repeat(40);
  const vocab = [...new Set(text)].sort();
  const ids = Int32Array.from(text, (ch) => vocab.indexOf(ch));
  const data = { train: ids.slice(0, 1500), val: ids.slice(1500) };
  const gptConfig = makeGptConfig("tiny", vocab.length, { nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 16, batch: 3, iters: 3, dropout: 0.1, bias: true, evalIters: 1, warmup: 1 });
  trainBoth(() => {
    const trainer = new GptTrainer(gptConfig, data);
    for (let i = 0; i < 3; i++) trainer.step();
    return trainer.model.parameters().map((p) => p.toArray() as Float32Array);
  });
  trainBoth(() => {
    const trainer = new LanguageModelTrainer(gptConfig, data, (r) => new CharLSTM({ vocabSize: vocab.length, nEmbd: 8, hidden: 12, layers: 2 }, r));
    for (let i = 0; i < 2; i++) trainer.step();
    return trainer.model.parameters().map((p) => p.toArray() as Float32Array);
  });
  trainBoth(() => {
    const r = new Rng(3);
    const net = new ConvNet({ blocks: [{ channels: 4, kernel: 3, padding: 1, pool: 2 }] }, { sizes: [4 * 14 * 14, 10], activation: "relu", output: "linear", init: "kaiming" }, r);
    const opt = new AdamW(net.namedParameters(), { lr: 0.01 });
    const images = ops.rand([5, 784], r);
    const labels = ops.tensor(Int32Array.from([1, 2, 3, 4, 5]), [5], "int32");
    for (let i = 0; i < 2; i++) {
      tidy(() => {
        F.crossEntropy(net.forward(images), labels).backward();
        opt.step();
        opt.zeroGrad();
      });
    }
    return net.parameters().map((p) => p.toArray() as Float32Array);
  });
});
