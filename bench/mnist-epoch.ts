// What W1 and W1b share: one training epoch of an MNIST config, timed on every nnlab backend (through
// MnistTrainer, the code path `nnlab train mnist` uses), in TF.js, and in the Python peers.

import { subset } from "../src/data/batches.js";
import { loadMnist, mnistDataDir, type Dataset } from "../src/data/mnist.js";
import type { MnistTrainConfig } from "../src/train/config.js";
import { MnistTrainer } from "../src/train/trainer.js";
import { useVariant, variantLabel } from "./backends.js";
import { chromiumEpochs } from "./chromium.js";
import { timeRuns, type BenchContext, type BenchResult, type Entry, type TimingPlan } from "./harness.js";
import { runPythonPeer, torchLabel } from "./peers/python.js";
import { TFJS_BACKENDS, tfjsLabel, useTfjs } from "./peers/tfjs.js";
import { tfjsMlpEpoch } from "./peers/tfjs-mlp.js";

const WARMUP_IMAGES = 1000;
let mnist: Promise<{ train: Dataset; test: Dataset }> | null = null;

/** Training images per epoch: all 60,000, or 10,000 with --quick. */
export function epochImages(quick: boolean): number {
  return quick ? 10_000 : 60_000;
}

function plan(quick: boolean): TimingPlan {
  return quick ? { warmup: 0, runs: 1, budgetS: 0 } : { warmup: 0, runs: 3, budgetS: 20 };
}

/**
 * Times one epoch of `config` on each nnlab backend, TF.js backend and Python peer (`script`); with
 * `inChromium`, also nnlab's default backend in the web lab's worker in headless Chromium.
 */
export async function epochBench(
  ctx: BenchContext,
  config: MnistTrainConfig,
  script: string,
  inChromium = false,
  tfjsEpoch: typeof tfjsMlpEpoch = tfjsMlpEpoch,
  peerArgs: Record<string, string> = {},
): Promise<Pick<BenchResult, "entries" | "notes">> {
  mnist ??= loadMnist();
  const full = await mnist;
  const train = subset(full.train, epochImages(ctx.quick));
  const warm = subset(full.train, WARMUP_IMAGES);
  const data = { train, test: full.test };
  const entries: Entry[] = [];
  const notes: string[] = [
    `${train.count} training images${ctx.quick ? " (--quick)" : ""}; test accuracy on the ${full.test.count} test images after the epoch`,
    `training pass only (the test evaluation after the epoch is not timed); fresh seeded weights per run; warm-up: one epoch on ${WARMUP_IMAGES} images (nnlab: and one batch of the fused steps on the full set, which takes its bytes into the backend's memory: on wasm, as a sparse index of the inked pixels)`,
  ];

  for (const v of ctx.nnlab) {
    useVariant(v);
    new MnistTrainer(config, { train: warm, test: full.test }).trainEpoch();
    // the fused steps keep the training bytes in the backend's memory: copy them there before timing,
    // as the peers turn the data into their arrays before theirs (one batch of a throw-away trainer)
    const primer = new MnistTrainer(config, data);
    if (primer.fusedSteps && train.pixels) primer.fusedSteps(train.pixels, train.labels, Int32Array.from({ length: config.batch }, (_, i) => i), config.batch);
    let accuracy = NaN;
    const stats = timeRuns(() => {
      const record = new MnistTrainer(config, data).trainEpoch();
      accuracy = record.test_accuracy;
      return record.seconds;
    }, plan(ctx.quick));
    entries.push({ case: "epoch", impl: variantLabel(v, ctx.nnlab), nnlab: true, threads: v.threads, stats, extra: { "test acc": accuracy } });
  }

  if (inChromium) {
    const r = await chromiumEpochs(config.preset, train.count, WARMUP_IMAGES, plan(ctx.quick).runs);
    if (typeof r === "string") {
      entries.push({ case: "epoch", impl: "nnlab in Chromium", nnlab: true, threads: null, stats: null, note: r });
    } else {
      entries.push({ case: "epoch", impl: `nnlab/${r.backend} in Chromium`, nnlab: true, threads: r.threads, stats: r.stats, extra: { "test acc": r.testAccuracy }, note: "web lab worker" });
      const node = entries.find((e) => e.impl.startsWith(`nnlab/${r.backend}`) && e.threads === r.threads && e.stats);
      if (node?.stats) notes.push(`Chromium ÷ Node (nnlab/${r.backend}, ${r.threads} threads): ${(r.stats.median / node.stats.median).toFixed(2)}× the time (target: at most 1.5×)`);
    }
  }

  for (const name of TFJS_BACKENDS) {
    const failed = await useTfjs(name);
    if (failed) {
      entries.push({ case: "epoch", impl: tfjsLabel(name), nnlab: false, threads: 1, stats: null, note: failed });
      continue;
    }
    try {
      tfjsEpoch(config, warm, full.test);
    } catch (err) {
      // e.g. TF.js/wasm has no Conv2DBackpropFilter kernel, so it cannot train the CNN
      const why = (err as Error).message.split("\n")[0];
      entries.push({ case: "epoch", impl: tfjsLabel(name), nnlab: false, threads: 1, stats: null, note: `cannot train this net: ${why}` });
      continue;
    }
    let accuracy = NaN;
    const stats = timeRuns(() => {
      const r = tfjsEpoch(config, train, full.test);
      accuracy = r.accuracy;
      return r.seconds;
    }, plan(ctx.quick));
    entries.push({ case: "epoch", impl: tfjsLabel(name), nnlab: false, threads: 1, stats, extra: { "test acc": accuracy }, note: "1 thread" });
  }

  entries.push(...(await pythonEntries(ctx, script, train.count, peerArgs)));
  if (ctx.python.torch) {
    notes.push(
      `PyTorch runs at its default thread count here (torch.get_num_threads() = ${torchEpochThreads(ctx)}); ` +
        "on this shared 2-core machine 2 threads made these small-batch epochs 5–15× slower (OpenMP on tiny ops), so they are not repeated here",
    );
  }
  if (ctx.python.skipped) notes.push(`skipped PyTorch and numpy: ${ctx.python.skipped}`);
  return { entries, notes };
}

/** PyTorch's own default thread count (what a user gets), for the epoch benches. */
function torchEpochThreads(ctx: BenchContext): number {
  return ctx.python.torchDefaultThreads ?? 1;
}

async function pythonEntries(ctx: BenchContext, script: string, images: number, peerArgs: Record<string, string>): Promise<Entry[]> {
  const impls = [ctx.python.torch ? "torch" : "", ctx.python.numpy ? "numpy" : ""].filter(Boolean);
  if (!impls.length) return [];
  const p = plan(ctx.quick);
  const entries = await runPythonPeer(script, impls, {
    data: mnistDataDir(),
    limit: images,
    runs: p.runs,
    budget: p.budgetS,
    "warmup-images": WARMUP_IMAGES,
    "thread-counts": torchEpochThreads(ctx),
    ...peerArgs,
  });
  return entries.map((e) => (e.impl === "PyTorch" ? { ...e, impl: torchLabel(e.threads) } : e));
}
