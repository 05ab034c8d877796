// W1: one epoch of the lesson's network (the 3b1b preset: 784-16-16-10 sigmoid, quadratic cost, SGD
// mini-batch 10, η = 3.0, N(0,1) init) over the MNIST training images, with the test accuracy after it;
// also in headless Chromium (the web lab's engine worker), where the target is within 1.5× of Node, and
// as the user runs it: `nnlab train mnist --json` in a child process (the default 30 epochs), every
// epoch's `seconds` (the first, cold ones included).

import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { makeConfig } from "../src/train/config.js";
import { ROOT, statsOf, type Bench, type BenchContext, type Entry } from "./harness.js";
import { epochBench } from "./mnist-epoch.js";

const run = promisify(execFile);

/** The CLI's own epochs: `nnlab train mnist --json` (its default 30 epochs, backend and threads; 3 with --quick). */
async function cliEntry(ctx: BenchContext): Promise<Entry> {
  const out = path.join(os.tmpdir(), `nnlab-w1-cli-${process.pid}`);
  const argv = [path.join(ROOT, "bin", "nnlab.js"), "train", "mnist", "--seed", "1", "--out", out, "--json", ...(ctx.quick ? ["--epochs", "3", "--train-limit", "10000"] : [])];
  const entry: Entry = { case: "epoch", impl: "nnlab CLI (train mnist --json)", nnlab: true, threads: null, stats: null };
  try {
    const { stdout } = await run(process.execPath, argv, { timeout: 600_000, maxBuffer: 16 << 20 });
    const result = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { history?: { seconds: number; test_accuracy: number }[]; backend?: string };
    const epochs = result.history ?? [];
    return { ...entry, stats: epochs.length ? statsOf(epochs.map((e) => e.seconds)) : null, extra: { "test acc": epochs.at(-1)?.test_accuracy ?? NaN }, note: `${result.backend}, default threads; ${epochs.length} epochs, the first ${epochs[0]?.seconds.toFixed(3)} s, fastest ${Math.min(...epochs.map((e) => e.seconds)).toFixed(3)} s` };
  } catch (err) {
    return { ...entry, note: `failed: ${String((err as Error).message).split("\n")[0].slice(0, 160)}` };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export const w1: Bench = {
  name: "w1",
  title: "one epoch of the 3b1b preset (784-16-16-10 sigmoid, quadratic cost, SGD batch 10, lr 3.0, N(0,1) init)",
  unit: "s",
  higherIsBetter: false,
  async run(ctx) {
    const result = await epochBench(ctx, makeConfig("3b1b", { epochs: 1, seed: 1 }), "w1.py", true);
    result.entries.push(await cliEntry(ctx));
    result.notes.push("the CLI row is the median of the epochs of one `nnlab train mnist --json` (the default 30 epochs; no warm-up: the first epochs run cold, as a user's do)");
    return result;
  },
};
