// Memory over a long run: trains the lesson's 784-16-16-10 net on real MNIST through runTraining (epochs,
// evaluations and a checkpoint after each epoch, as `nnlab train mnist` does) for 100,000+ steps and
// samples the process's memory every 5,000 steps. Usage (after `npm run build`):
//   node --expose-gc dist/bench/memory-soak.js [--steps 100000] [--backend wasm|js] [--every 5000] [--json FILE]
// Prints one line per sample and the growth from the first sample after warm-up (step 5,000) to the last.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { init } from "../src/backend/index.js";
import { memory } from "../src/core/engine.js";
import { loadMnist } from "../src/data/mnist.js";
import { makeConfig } from "../src/train/config.js";
import { prepareRun, runTraining } from "../src/train/run.js";

/** One sample of the process's memory. */
export interface MemorySample {
  step: number;
  /** Resident set size of the process (bytes). */
  rss: number;
  /** V8's used JS heap (bytes). */
  heapUsed: number;
  /** ArrayBuffers outside the JS heap, the wasm memory included (bytes). */
  arrayBuffers: number;
  /** Live engine-owned tensor buffers and their bytes. */
  engineStorages: number;
  engineBytes: number;
}

/** Takes a sample after a full garbage collection when the process runs with --expose-gc. */
export function sampleMemory(step: number): MemorySample {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const e = memory();
  return { step, rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, engineStorages: e.storages, engineBytes: e.bytes };
}

const MB = 2 ** 20;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { steps: { type: "string" }, backend: { type: "string" }, every: { type: "string" }, json: { type: "string" } } });
  const steps = Number(values.steps ?? 100000);
  const every = Number(values.every ?? 5000);
  const backend = (await init(values.backend ? { backend: values.backend } : {})).name;
  const data = await loadMnist();
  const stepsPerEpoch = Math.ceil(data.train.count / 10);
  const config = makeConfig("3b1b", { epochs: Math.ceil(steps / stepsPerEpoch), seed: 1 });
  const out = await mkdtemp(path.join(tmpdir(), "nnlab-soak-"));
  const samples: MemorySample[] = [];
  const started = performance.now();
  try {
    const trainer = await prepareRun(config, data, { outDir: out });
    samples.push(sampleMemory(0));
    console.log(`backend ${backend}, ${config.epochs} epochs of ${stepsPerEpoch} steps (3b1b net, batch 10), checkpoint after each; gc ${"gc" in globalThis ? "on" : "off (run node with --expose-gc)"}`);
    console.log("step      rss MB   heapUsed MB   arrayBuffers MB   engine buffers   engine MB");
    await runTraining(trainer, {
      outDir: out,
      onEvent: (e) => {
        if (e.type !== "batch") return;
        const step = (e.epoch - 1) * e.batches + e.batch;
        if (step % every !== 0 || step > steps) return;
        const s = sampleMemory(step);
        samples.push(s);
        console.log(
          `${String(step).padStart(6)} ${(s.rss / MB).toFixed(1).padStart(9)} ${(s.heapUsed / MB).toFixed(1).padStart(13)} ${(s.arrayBuffers / MB).toFixed(1).padStart(17)} ${String(s.engineStorages).padStart(16)} ${(s.engineBytes / MB).toFixed(3).padStart(11)}`,
        );
      },
    });
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  const first = samples.find((s) => s.step >= every) ?? samples[0];
  const last = samples[samples.length - 1];
  const growth = (k: keyof MemorySample) => `${((last[k] - first[k]) / MB).toFixed(2)} MB`;
  console.log(
    `steps ${first.step} → ${last.step}: rss ${growth("rss")}, heapUsed ${growth("heapUsed")}, arrayBuffers ${growth("arrayBuffers")}, ` +
      `engine buffers ${first.engineStorages} → ${last.engineStorages} (${growth("engineBytes")}); ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  if (values.json) await writeFile(values.json, JSON.stringify({ backend, samples }, null, 2) + "\n");
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) await main();
