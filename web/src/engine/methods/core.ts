// The methods every lesson uses: engine info, MNIST, getting a trained network (train it here — or take
// it from this browser's cache of networks trained before — or load a run from the server), and reading
// the network on one input with every layer's activations.

import { Rng } from "../../../../src/core/rng.js";
import { noGrad, tidy } from "../../../../src/core/engine.js";
import * as ops from "../../../../src/core/ops.js";
import { decodeSafetensors } from "../../../../src/io/safetensors.js";
import { MLP, mlpParameterCount, type MlpCapture } from "../../../../src/models/mlp.js";
import type { Init } from "../../../../src/nn/init.js";
import { makeConfig, validateTrainConfig, type MnistTrainConfig, type PresetName } from "../../../../src/train/config.js";
import { evaluate } from "../../../../src/train/metrics.js";
import { MnistTrainer } from "../../../../src/train/trainer.js";
import { loadCachedNet, saveCachedNet } from "../net-cache.js";
import type { MethodTable } from "../protocol.js";
import { engineReady, fetchBytes, mnist, state } from "../state.js";

/** A summary of the current network, as pages show it. */
export interface ModelInfo {
  sizes: number[];
  activation: string;
  output: string;
  parameters: number;
  /** "trained here (N epochs, seed S)" or "run NAME". */
  origin: string;
  testAccuracy: number;
}

/** One forward pass: a[0] is the input, a[L] the output; z[l-1] the weighted sums of layer l. */
export interface Reading {
  a: Float32Array[];
  z: Float32Array[];
  prediction: number;
}

declare module "../protocol.js" {
  interface EngineMethods {
    info: { params: Record<string, never>; result: { backend: string; simd: string | null; threads: number; crossOriginIsolated: boolean } };
    loadMnist: { params: Record<string, never>; result: { train: number; test: number } };
    /**
     * Trains a preset here (emits "train.progress") unless the same network is already loaded or was
     * trained before in this browser (then it comes from IndexedDB, keyed by the whole configuration).
     */
    trainPreset: { params: { preset: PresetName; epochs: number; seed?: number; hidden?: number[]; activation?: "sigmoid" | "relu"; init?: Init; lr?: number }; result: ModelInfo };
    /** Loads a model from the server's runs folder (`nnlab serve --runs DIR`). */
    loadRun: { params: { name: string }; result: ModelInfo };
    listRuns: { params: Record<string, never>; result: { runs: { name: string; modified: string }[] } };
    model: { params: Record<string, never>; result: ModelInfo | null };
    /** The network's reading of one 784-pixel image (values in [0, 1], 1 = ink). */
    read: { params: { pixels: Float32Array }; result: Reading };
    /** Test image `index` of MNIST: pixels and label. */
    testImage: { params: { index: number }; result: { pixels: Float32Array; label: number } };
  }
  interface EngineEvents {
    "train.progress": { epoch: number; epochs: number; batch: number; batches: number; runningCost: number; runningAccuracy: number };
  }
}

function info(): ModelInfo {
  const m = state.model;
  const c = state.config;
  if (!m || !c) throw new Error("no network yet: train one or load a run first");
  return { sizes: [...c.model.sizes], activation: c.model.activation, output: c.model.output, parameters: mlpParameterCount(c.model.sizes), origin: state.origin ?? "", testAccuracy: state.testAccuracy ?? NaN };
}

/** Makes `model` the current network, freeing the weights of the one it replaces. */
function install(model: MLP, config: MnistTrainConfig, origin: string, testAccuracy: number): ModelInfo {
  for (const [, p] of state.model?.namedParameters() ?? []) p.dispose();
  state.model = model;
  state.config = config;
  state.origin = origin;
  state.testAccuracy = testAccuracy;
  return info();
}

const yieldToMessages = () => new Promise<void>((r) => setTimeout(r, 0));

export const coreMethods: MethodTable = {
  async info() {
    const b = await engineReady();
    const wasm = b as { simd?: string; threads?: number };
    return { backend: b.name, simd: wasm.simd ?? null, threads: wasm.threads ?? 1, crossOriginIsolated: self.crossOriginIsolated };
  },

  async loadMnist() {
    const { train, test } = await mnist();
    return { train: train.count, test: test.count };
  },

  async trainPreset({ preset, epochs, seed = 1, hidden, activation, init, lr }, ctx) {
    await engineReady();
    const config = makeConfig(preset, { epochs, seed, hidden, activation, init, lr });
    const key = JSON.stringify(config);
    if (state.model && JSON.stringify(state.config) === key) return info();
    const cached = await loadCachedNet(key);
    if (cached) {
      const model = new MLP(config.model, new Rng(0));
      model.loadStateDict(cached.parameters, "cached network");
      return install(model, config, `${cached.origin} (kept in this browser)`, cached.testAccuracy);
    }
    const data = await mnist();
    const tuned = [init && `${init} init`, lr && `η = ${lr}`].filter(Boolean).join(", ");
    const origin = `trained here: ${preset} ${config.model.sizes.join("-")} ${config.model.activation}${tuned ? ` (${tuned})` : ""}, ${epochs} epoch${epochs === 1 ? "" : "s"}, seed ${seed}`;
    const trainer = new MnistTrainer(config, data);
    let last = performance.now();
    for (let e = 0; e < epochs; e++) {
      // epoch by epoch, yielding to the message loop every ~50 ms so the page hears progress
      await new Promise<void>((resolve, reject) => {
        try {
          trainer.trainEpoch((ev) => {
            if (ev.type !== "batch") return;
            const now = performance.now();
            if (now - last > 100 || ev.batch === ev.batches) {
              last = now;
              ctx.emit("train.progress", { epoch: ev.epoch, epochs, batch: ev.batch, batches: ev.batches, runningCost: ev.runningCost, runningAccuracy: ev.runningAccuracy });
            }
          });
          resolve();
        } catch (err) {
          reject(err);
        }
      });
      await yieldToMessages();
    }
    const testAccuracy = trainer.history[trainer.history.length - 1].test_accuracy;
    await saveCachedNet({ key, origin, testAccuracy, parameters: trainer.model.stateDict() });
    return install(trainer.mlp, config, origin, testAccuracy);
  },

  async listRuns() {
    const res = await fetch("/api/runs");
    if (!res.ok) throw new Error(`listing runs failed: HTTP ${res.status}`);
    return (await res.json()) as { runs: { name: string; modified: string }[] };
  },

  async loadRun({ name }) {
    await engineReady();
    const base = `/runs/${encodeURIComponent(name)}`;
    const raw = JSON.parse(new TextDecoder().decode(await fetchBytes(`${base}/config.json`))) as { config: MnistTrainConfig };
    const config = validateTrainConfig(raw.config, `${name}/config.json`);
    const { tensors } = decodeSafetensors(await fetchBytes(`${base}/model.safetensors`), `${name}/model.safetensors`);
    const model = new MLP(config.model, new Rng(0));
    const named: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [k, t] of Object.entries(tensors)) named[k] = { shape: [...t.shape], data: Float32Array.from(t.data as Float32Array) };
    model.loadStateDict(named, `${name}/model.safetensors`);
    const { test } = await mnist();
    return install(model, config, `run ${name}`, evaluate(model, test).accuracy);
  },

  model() {
    return state.model ? info() : null;
  },

  read({ pixels }) {
    const model = state.model;
    if (!model) throw new Error("no network yet: train one or load a run first");
    return noGrad(() =>
      tidy(() => {
        const capture: MlpCapture = { z: [], a: [] };
        model.forward(ops.tensor(pixels, [1, pixels.length]), capture);
        const a = capture.a.map((t) => t.toArray() as Float32Array);
        const z = capture.z.map((t) => t.toArray() as Float32Array);
        const out = a[a.length - 1];
        let prediction = 0;
        for (let i = 1; i < out.length; i++) if (out[i] > out[prediction]) prediction = i;
        return { a, z, prediction };
      }),
    );
  },

  async testImage({ index }) {
    const { test } = await mnist();
    if (!Number.isInteger(index) || index < 0 || index >= test.count) throw new Error(`test image index must be 0..${test.count - 1}, got ${index}`);
    return { pixels: test.images.slice(index * 784, (index + 1) * 784), label: test.labels[index] };
  },
};
