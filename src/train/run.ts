// A whole training run: limit the data as configured, train epoch after epoch, checkpoint atomically
// after each, and report events. The CLI's `train mnist` and the tests drive runs through this.

import path from "node:path";
import { NnlabError } from "../core/errors.js";
import { getBackend } from "../core/engine.js";
import { checkRunDir, memoryLimit, prepareRunDir, restoreCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { checkFitsInMemory, type MnistTrainConfig } from "./config.js";
import { Diverged, limitData, MnistTrainer, type TrainData, type TrainEvent } from "./trainer.js";

export interface RunOptions {
  /** Run directory for checkpoints (written after every epoch); none = no checkpoints. */
  outDir?: string;
  /** Continue the run saved in this directory. */
  resumeFrom?: string;
  onEvent?: (e: TrainEvent) => void;
  /** Stop after this many completed epochs (default: the config's epochs). */
  untilEpoch?: number;
}

/**
 * Prepares a trainer (fresh, or restored from `resumeFrom`) after checking, before anything trains or is
 * allocated, that the output directory is usable, that the network fits in the backend's memory and that
 * a resumed run has epochs left to train.
 */
export async function prepareRun(config: MnistTrainConfig, data: TrainData, opts: RunOptions = {}): Promise<MnistTrainer> {
  const outFlag = opts.resumeFrom && opts.outDir && path.resolve(opts.outDir) === path.resolve(opts.resumeFrom) ? "--resume" : "--out";
  if (opts.outDir) checkRunDir(opts.outDir, outFlag);
  const backend = getBackend().name;
  checkFitsInMemory(config, backend, memoryLimit(backend), opts.resumeFrom ? `${opts.resumeFrom} config.json` : "");
  const trainer = new MnistTrainer(config, limitData(config, data));
  if (opts.resumeFrom) {
    await restoreCheckpoint(opts.resumeFrom, trainer);
    if (trainer.epoch >= config.epochs) {
      throw NnlabError.problem({
        subject: `--epochs ${config.epochs}`,
        expected: `more epochs than ${opts.resumeFrom} has completed (${trainer.epoch}), so there is something to train`,
        found: `${config.epochs}`,
        fix: `Pass --epochs ${trainer.epoch + 1} or more to train further; the model is already saved in ${opts.resumeFrom}.`,
      });
    }
  }
  if (opts.outDir) await prepareRunDir(opts.outDir, outFlag); // created and probed last, so a refused run leaves nothing behind
  return trainer;
}

/**
 * Trains until `config.epochs` epochs are complete, checkpointing after each one. A cost that turns NaN
 * or infinite stops the run with an {@link NnlabError} naming the step; the last checkpoint (the end of
 * the previous epoch) stays current.
 */
export async function runTraining(trainer: MnistTrainer, opts: RunOptions = {}): Promise<void> {
  const last = Math.min(opts.untilEpoch ?? trainer.config.epochs, trainer.config.epochs);
  while (trainer.epoch < last) {
    try {
      trainer.trainEpoch(opts.onEvent);
    } catch (err) {
      if (!(err instanceof Diverged)) throw err;
      const kept = !opts.outDir
        ? "no checkpoints were being written"
        : trainer.epoch > 0
          ? `the last good checkpoint (after epoch ${trainer.epoch}) stays in ${opts.outDir}`
          : `nothing was saved in ${opts.outDir} (no epoch completed)`;
      throw new NnlabError(`${err.message}; ${kept}.`, { cause: err });
    }
    if (opts.outDir) {
      await saveCheckpoint(opts.outDir, trainer);
      opts.onEvent?.({ type: "checkpoint", epoch: trainer.epoch, dir: opts.outDir });
    }
    // let pending I/O and signals through between epochs
    await new Promise((resolve) => setImmediate(resolve));
  }
}
