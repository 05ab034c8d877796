// A whole GPT training run: evaluate at step 0 and every evalInterval steps, checkpoint atomically after
// each evaluation, report typed events. The CLI's `gpt train` and the tests drive runs through this, as
// run.ts does for MNIST.

import { checkRunDir } from "./checkpoint.js";
import { restoreGptCheckpoint, saveGptCheckpoint } from "./gpt-checkpoint.js";
import type { GptTrainConfig } from "./gpt-config.js";
import { GptTrainer, type GptData, type GptTrainEvent } from "./gpt-trainer.js";

export interface GptRunOptions {
  /** Run directory, written after every evaluation; none = no checkpoints. */
  outDir?: string;
  /** Continue the run saved in this directory. */
  resumeFrom?: string;
  /** The tokenizer's spec, saved in config.json so `gpt sample` can decode. */
  tokenizer?: unknown;
  onEvent?: (e: GptTrainEvent) => void;
  /** Stop after this many steps (default: the config's iters); a checkpoint is written there too. */
  untilIter?: number;
}

/** A trainer, fresh or restored from `resumeFrom`, after checking the output directory. */
export async function prepareGptRun(config: GptTrainConfig, data: GptData, opts: GptRunOptions = {}): Promise<GptTrainer> {
  if (opts.outDir && opts.outDir !== opts.resumeFrom) checkRunDir(opts.outDir);
  const trainer = new GptTrainer(config, data);
  if (opts.resumeFrom) await restoreGptCheckpoint(opts.resumeFrom, trainer);
  return trainer;
}

/** Trains until `config.iters` steps (or `untilIter`), evaluating and checkpointing on the way. */
export async function runGptTraining(trainer: GptTrainer, opts: GptRunOptions = {}): Promise<void> {
  const { iters, evalInterval } = trainer.config;
  const last = Math.min(opts.untilIter ?? iters, iters);
  const checkpoint = async () => {
    if (!opts.outDir) return;
    await saveGptCheckpoint(opts.outDir, trainer, opts.tokenizer ?? null);
    opts.onEvent?.({ type: "checkpoint", iter: trainer.iter, dir: opts.outDir });
  };
  const evaluate = () => {
    const record = trainer.evaluate();
    trainer.history.push(record);
    opts.onEvent?.({ type: "eval", record });
  };
  if (trainer.iter === 0 && trainer.history.length === 0) evaluate(); // the untrained loss, ≈ ln(vocabulary)
  let saved = true;
  while (trainer.iter < last) {
    const lr = trainer.optimizer.currentLr();
    const loss = trainer.step();
    const ms = trainer.stepMs[trainer.stepMs.length - 1];
    opts.onEvent?.({ type: "iter", iter: trainer.iter, iters, loss, lr, ms, tokensPerSecond: (trainer.tokensPerStep * 1000) / ms });
    saved = false;
    if (trainer.iter % evalInterval === 0 || trainer.iter === iters) {
      evaluate();
      await checkpoint();
      saved = true;
    }
    // let pending I/O and signals through now and then
    if (trainer.iter % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  if (!saved) await checkpoint();
}
