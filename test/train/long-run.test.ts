// Memory stays flat over a run: 3,000 steps of the lesson's net through runTraining (epochs, evaluations,
// a checkpoint after each) leave the engine's live buffers exactly as after the first epoch and the
// process's memory within a loose bound. bench/memory-soak.ts measures 100,000 steps (README: Reliability).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { init } from "../../src/backend/index.js";
import { memory } from "../../src/core/engine.js";
import { loadMnist } from "../../src/data/mnist.js";
import { makeConfig } from "../../src/train/config.js";
import { prepareRun, runTraining } from "../../src/train/run.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const MB = 2 ** 20;

test("memory stays flat over 3,000 training steps with evaluations and checkpoints", async () => {
  await init();
  const data = await loadMnist();
  const out = await mkdtemp(path.join(tmpdir(), "nnlab-long-"));
  try {
    const config = makeConfig("3b1b", { epochs: 10, trainLimit: 3000, testLimit: 500, seed: 2 });
    const trainer = await prepareRun(config, data, { outDir: out });
    const samples: { engine: ReturnType<typeof memory>; rss: number; heap: number }[] = [];
    await runTraining(trainer, {
      outDir: out,
      onEvent: (e) => {
        if (e.type !== "checkpoint") return;
        gc();
        samples.push({ engine: memory(), rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed });
      },
    });
    assert.equal(samples.length, 10);
    const [first, last] = [samples[1], samples[9]]; // after epoch 2 (warmed up) and epoch 10
    assert.deepEqual(last.engine, first.engine, "the engine's live buffers after epoch 10 equal those after epoch 2");
    assert.ok(last.heap - first.heap < 16 * MB, `JS heap grew by ${((last.heap - first.heap) / MB).toFixed(1)} MB`);
    assert.ok(last.rss - first.rss < 64 * MB, `RSS grew by ${((last.rss - first.rss) / MB).toFixed(1)} MB`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
