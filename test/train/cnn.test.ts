// The CNN preset: the ConvNet's layout path against PyTorch-layout ops, a quick seeded training run that
// must learn, checkpoints that load back as a CNN (eval and predict through the CLI), and clear errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import { currentRunFiles } from "../../src/io/run-dir.js";
import { noGrad, tidy } from "../../src/core/engine.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import { loadMnist } from "../../src/data/mnist.js";
import { encodePng } from "../../src/data/png.js";
import { ConvNet } from "../../src/models/cnn.js";
import { conv2d, maxPool2d } from "../../src/nn/conv.js";
import { loadModel } from "../../src/train/checkpoint.js";
import { makeConfig, validateTrainConfig } from "../../src/train/config.js";
import { evaluate } from "../../src/train/metrics.js";
import { prepareRun, runTraining } from "../../src/train/run.js";
import { nnlab } from "../helpers.js";

test("the ConvNet's [C, N, H, W] path computes what PyTorch-layout conv2d and maxPool2d compute", async () => {
  await init();
  const config = makeConfig("cnn");
  const net = new ConvNet(config.conv!, config.model, new Rng(3));
  assert.deepEqual(
    net.namedParameters().map(([name, p]) => `${name} [${p.shape}]`),
    ["conv.0.weight [16,1,5,5]", "conv.0.bias [16]", "conv.1.weight [32,16,5,5]", "conv.1.bias [32]", "head.layers.0.weight [128,512]", "head.layers.0.bias [128]", "head.layers.1.weight [10,128]", "head.layers.1.bias [10]"],
  );
  assert.equal(net.parameterCount(), 80202);
  const { test: images } = await loadMnist();
  tidy(() =>
    noGrad(() => {
      const x = ops.tensor(images.images.subarray(0, 3 * 784), [3, 784]);
      const maps: ReturnType<typeof ops.zeros>[] = [];
      const fast = net.forward(x, { z: [], a: [], maps }).toArray();
      let a = x.reshape([3, 1, 28, 28]);
      net.convs.forEach((c) => (a = maxPool2d(conv2d(a, c.weight, c.bias).relu(), 2)));
      const slow = net.head.forward(a.reshape([3, -1])).toArray();
      fast.forEach((v, i) => assert.ok(Math.abs(v - slow[i]) < 1e-4, `logit ${i}: ${v} vs ${slow[i]}`));
      assert.deepEqual(maps.map((m) => m.shape), [[16, 3, 24, 24], [32, 3, 8, 8]]);
    }),
  );
});

test("a quick CNN run learns, checkpoints, and loads back for eval and predict", async () => {
  await init();
  const data = await loadMnist();
  const dir = await mkdtemp(path.join(tmpdir(), "nnlab-cnn-"));
  try {
    const config = makeConfig("cnn", { epochs: 1, trainLimit: 2000, testLimit: 500, seed: 2 });
    const runDir = path.join(dir, "run");
    const trainer = await prepareRun(config, data, { outDir: runDir });
    assert.equal(trainer.fusedStep, null);
    await runTraining(trainer, { outDir: runDir });
    const record = trainer.history[0];
    assert.ok(record.test_accuracy > 0.7, `test accuracy after 2000 images: ${record.test_accuracy}`);
    assert.ok(record.train_cost < 1.6, `mean training cost ${record.train_cost}`);
    const saved = JSON.parse(await readFile(path.join(currentRunFiles(runDir)!, "config.json"), "utf8")) as { config: { conv?: unknown } };
    assert.deepEqual(saved.config.conv, config.conv);
    const { model } = await loadModel(runDir);
    assert.ok(model instanceof ConvNet);
    assert.ok(evaluate(model, data.test).accuracy > 0.7);
    assert.equal(evaluate(model, { ...data.test, count: 500 }).correct, Math.round(record.test_accuracy * 500));

    const e = await nnlab("eval", "--model", runDir, "--json");
    assert.equal(e.code, 0, e.stderr);
    assert.ok((JSON.parse(e.stdout) as { test_accuracy: number }).test_accuracy > 0.7);
    const digit = new Float32Array(784);
    digit.set(data.test.images.subarray(0, 784)); // a 7
    const file = path.join(dir, "seven.png");
    await writeFile(file, encodePng(digit, 28, 28));
    const p = await nnlab("predict", "--model", runDir, file, "--json");
    assert.equal(p.code, 0, p.stderr);
    assert.equal((JSON.parse(p.stdout) as { digit: number }).digit, data.test.labels[0]);

    // the MLP-reading experiments say what they need instead of failing deep inside
    const lab = await nnlab("lab", "imagine", "--quick", "--model", runDir, "--out", path.join(dir, "lab"));
    assert.equal(lab.code, 2, lab.stderr);
    assert.match(lab.stderr, /expected a fully connected network \(MLP\), found a convolutional network/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a bad conv block in a config names the field", () => {
  const config = makeConfig("cnn");
  const bad = { ...config, conv: { blocks: [{ channels: 16, kernel: 0, padding: 0, pool: 2 }] } };
  assert.throws(() => validateTrainConfig(bad, "run/config.json"), /run\/config\.json: conv\.blocks\[0\]: expected channels 1–1024, kernel 1–28/);
  const tooSmall = { ...config, conv: { blocks: [{ channels: 8, kernel: 5, padding: 0, pool: 28 }] } };
  assert.throws(() => validateTrainConfig(tooSmall, "run/config.json"), /feature maps of at least 1×1/);
  // the head must start at the flattened maps' width
  assert.throws(() => makeConfig("cnn", { hidden: [64] }) && validateTrainConfig({ ...config, model: { ...config.model, sizes: [784, 10] } }), /512 inputs/);
});
