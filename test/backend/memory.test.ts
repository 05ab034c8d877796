// Memory owned by the engine: on the wasm backend, neither the engine's live buffers nor the wasm heap
// grow over 1,000 training steps (each step's intermediates are released and their blocks reused), on
// the fused step of the lesson's net, its composite step, and the modern preset (Adam, fused and composite).
import { test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import type { WasmBackend } from "../../src/backend/wasm/index.js";
import { memory } from "../../src/core/engine.js";
import { Rng } from "../../src/core/rng.js";
import { PRESET_CONFIGS, type PresetName } from "../../src/train/config.js";
import { MnistTrainer } from "../../src/train/trainer.js";

function syntheticDigits(count: number, rng: Rng) {
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = rng.random() < 0.2 ? rng.random() : 0;
  const labels = Uint8Array.from({ length: count }, () => rng.int(10));
  return { images, labels, count, rows: 28, cols: 28 };
}

const cases: { preset: PresetName; composite: boolean }[] = [
  { preset: "3b1b", composite: false },
  { preset: "3b1b", composite: true },
  { preset: "modern", composite: false },
  { preset: "modern", composite: true },
];

for (const { preset, composite } of cases) {
  test(`memory does not grow over 1,000 training steps on wasm (${preset} preset, ${composite ? "composite" : "fused"} step)`, async () => {
    const backend = (await init({ backend: "wasm" })) as WasmBackend;
    const rng = new Rng(3);
    const train = syntheticDigits(256, rng);
    const config = { ...PRESET_CONFIGS[preset], batch: preset === "3b1b" ? 10 : 16, seed: 1, trainLimit: 0, testLimit: 0 };
    const trainer = new MnistTrainer(config, { train, test: train });
    assert.ok(trainer.fusedStep, "the fused step covers the 3b1b preset (SGD) and the modern one (Adam)");
    const n = config.batch;
    const stepAt = (s: number) => {
      const offset = (s * n) % (train.count - n);
      const step = composite ? trainer.compositeStep : trainer.step;
      step.call(trainer, train.images.subarray(offset * 784, (offset + n) * 784), train.labels.subarray(offset, offset + n), n);
    };
    for (let s = 0; s < 10; s++) stepAt(s);
    const liveAfterWarmUp = memory();
    const heapAfterWarmUp = backend.reservedBytes();
    for (let s = 10; s < 1000; s++) stepAt(s);
    assert.deepEqual(memory(), liveAfterWarmUp);
    assert.equal(backend.reservedBytes(), heapAfterWarmUp);
  });
}
