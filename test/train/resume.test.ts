// Checkpoints: an interrupted-and-resumed run ends bit for bit where an uninterrupted run with the same
// seed ends; the files are real safetensors/JSON in a real directory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import { loadMnist } from "../../src/data/mnist.js";
import { makeConfig } from "../../src/train/config.js";
import { loadModel } from "../../src/train/checkpoint.js";
import { prepareRun, runTraining } from "../../src/train/run.js";

test("resume gives the same result as an uninterrupted run", async () => {
  await init();
  const data = await loadMnist();
  const dir = await mkdtemp(path.join(tmpdir(), "nnlab-resume-"));
  try {
    for (const preset of ["3b1b", "modern"] as const) {
      const config = makeConfig(preset, { epochs: 2, trainLimit: 2000, testLimit: 500, seed: 5, ...(preset === "modern" ? { hidden: [32] } : {}) });
      const whole = await prepareRun(config, data);
      await runTraining(whole);

      const runDir = path.join(dir, preset);
      // a run of 2 epochs interrupted after the first
      const first = await prepareRun(config, data, { outDir: runDir });
      await runTraining(first, { outDir: runDir, untilEpoch: 1 });
      assert.deepEqual((await readdir(runDir)).sort(), ["checkpoint-000001", "current.json"]);
      assert.deepEqual((await readdir(path.join(runDir, "checkpoint-000001"))).sort(), ["config.json", "model.safetensors", "optimizer.safetensors", "state.json"]);
      const resumed = await prepareRun(config, data, { resumeFrom: runDir, outDir: runDir });
      assert.equal(resumed.epoch, 1);
      await runTraining(resumed, { outDir: runDir });

      const a = whole.model.stateDict();
      const b = resumed.model.stateDict();
      for (const name of Object.keys(a)) assert.deepEqual(b[name].data, a[name].data, `${preset}: ${name} differs after resume`);
      assert.deepEqual(resumed.history.map((h) => h.test_accuracy), whole.history.map((h) => h.test_accuracy));
      // the previous checkpoint is kept beside the current one
      assert.deepEqual((await readdir(runDir)).sort(), ["checkpoint-000001", "checkpoint-000002", "current.json"]);
      const loaded = await loadModel(runDir);
      assert.deepEqual(loaded.model.stateDict()["layers.0.weight"].data, a["layers.0.weight"].data);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
