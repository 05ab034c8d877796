// The GPT training loop (nanoGPT's train.py): random (B, T) windows of the token stream, cross-entropy
// on the next token, AdamW with weight decay on matrices, warm-up then cosine decay, gradient clipping,
// and train/validation loss on fixed seeded batches every evalInterval steps. Typed events for the CLI
// and the web lab, as MnistTrainer has. The same loop trains any next-token model (the char LSTM of
// `nnlab lab lstm-vs-gpt`) through LanguageModelTrainer; GptTrainer is it with a GPT.

import { noGrad, tidy } from "../core/engine.js";
import { NnlabError } from "../core/errors.js";
import * as ops from "../core/ops.js";
import { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { GPT } from "../models/gpt/model.js";
import type { Module } from "../nn/module.js";
import * as F from "../nn/functional.js";
import { AdamW } from "../optim/adam.js";
import { clipGradNorm } from "../optim/clip.js";
import { warmupCosine } from "../optim/schedule.js";
import type { GptTrainConfig } from "./gpt-config.js";

/** Token ids of the training and validation text. */
export interface GptData {
  train: Int32Array;
  val: Int32Array;
}

/** One evaluation: mean loss over the fixed batches of each split after `iter` steps. */
export interface GptEvalRecord {
  iter: number;
  train_loss: number;
  val_loss: number;
}

export type GptTrainEvent =
  | { type: "iter"; iter: number; iters: number; loss: number; lr: number; ms: number; tokensPerSecond: number }
  | { type: "eval"; record: GptEvalRecord }
  | { type: "checkpoint"; iter: number; dir: string };

/** A (B, T) batch: inputs x and targets y = x shifted by one token, as flat row-major arrays. */
export interface TokenBatch {
  x: Int32Array;
  y: Int32Array;
}

/**
 * nanoGPT's get_batch: B windows of T + 1 tokens starting at uniform random offsets; x is each window's
 * first T tokens and y its last T (every position's next token).
 */
export function randomBatch(tokens: Int32Array, batch: number, blockSize: number, rng: Rng): TokenBatch {
  const x = new Int32Array(batch * blockSize);
  const y = new Int32Array(batch * blockSize);
  for (let b = 0; b < batch; b++) {
    const start = rng.int(tokens.length - blockSize);
    x.set(tokens.subarray(start, start + blockSize), b * blockSize);
    y.set(tokens.subarray(start + 1, start + blockSize + 1), b * blockSize);
  }
  return { x, y };
}

/** Checks that each split holds more than one context of tokens (a window needs blockSize + 1). */
export function checkGptData(data: GptData, blockSize: number, source: string): void {
  for (const [split, ids] of [["training", data.train], ["validation", data.val]] as const) {
    if (ids.length <= blockSize) {
      throw NnlabError.problem({
        subject: source,
        expected: `more than ${blockSize} tokens in the ${split} split (one context of --block-size ${blockSize}, plus the next token)`,
        found: `${ids.length} tokens`,
        fix: "Use a longer text, or a smaller --block-size.",
      });
    }
  }
}

/** What the loop trains: int32 ids (B, T) → logits (B, T, V) scoring each position's next token. */
export interface LanguageModel extends Module {
  forward(ids: Tensor, opts?: { rng?: Rng }): Tensor;
}

/**
 * The settings the loop reads: a GPT run's configuration (GptTrainConfig fits), of whose model only the
 * context length of the training windows, `model.blockSize`, matters here.
 */
export type LanguageModelTrainConfig = Omit<GptTrainConfig, "preset" | "model"> & { readonly model: { readonly blockSize: number } };

/** Mean next-token cross-entropy of `model` on a batch (the loss the trainer minimises). */
export function batchLoss(model: LanguageModel, batch: TokenBatch, rows: number, rng?: Rng): Tensor {
  const T = batch.x.length / rows;
  const logits = model.forward(ops.tensor(batch.x, [rows, T], "int32"), { rng }); // (B, T, V)
  const V = logits.shape[2];
  return F.crossEntropy(ops.reshape(logits, [rows * T, V]), ops.tensor(batch.y, [rows * T], "int32"));
}

/** Trains a next-token model step by step (`step`), evaluating on demand (`evaluate`). */
export class LanguageModelTrainer<M extends LanguageModel, C extends LanguageModelTrainConfig = LanguageModelTrainConfig> {
  readonly model: M;
  readonly optimizer: AdamW;
  /** Draws the training batches (and dropout masks); its state is saved in checkpoints. */
  readonly rng: Rng;
  /** Steps taken. */
  iter = 0;
  readonly history: GptEvalRecord[] = [];
  /** Milliseconds of each step of this process (evaluation excluded), for the median. */
  readonly stepMs: number[] = [];
  private readonly evalBatches: { train: TokenBatch[]; val: TokenBatch[] };

  /** `makeModel` builds the model from the trainer's seeded generator (its first draws). */
  constructor(readonly config: C, readonly data: GptData, makeModel: (rng: Rng) => M) {
    checkGptData(data, config.model.blockSize, "the text");
    this.rng = new Rng(config.seed);
    this.model = makeModel(this.rng);
    const schedule = warmupCosine(config.lr, config.iters, { warmup: config.warmup, minLr: config.minLr });
    this.optimizer = new AdamW(this.model.namedParameters(), {
      lr: schedule,
      betas: [config.beta1, config.beta2],
      weightDecay: config.weightDecay,
      decays: (_path, p) => p.rank >= 2, // matrices decay; biases and LayerNorm gains do not (nanoGPT)
    });
    // the same evaluation batches every time, from their own generator: losses compare across evaluations
    const evalRng = new Rng(config.seed ^ 0x5eed);
    const { batch, evalIters, model } = config;
    this.evalBatches = {
      train: Array.from({ length: evalIters }, () => randomBatch(data.train, batch, model.blockSize, evalRng)),
      val: Array.from({ length: evalIters }, () => randomBatch(data.val, batch, model.blockSize, evalRng)),
    };
  }

  /** Tokens per step: B × T. */
  get tokensPerStep(): number {
    return this.config.batch * this.config.model.blockSize;
  }

  /** One optimizer step on a fresh random batch; returns the batch's loss. */
  step(): number {
    const started = performance.now();
    const { batch, model, gradClip } = this.config;
    this.model.train();
    const loss = tidy(() => {
      const loss = batchLoss(this.model, randomBatch(this.data.train, batch, model.blockSize, this.rng), batch, this.rng);
      loss.backward();
      if (gradClip > 0) clipGradNorm(this.model.parameters(), gradClip);
      this.optimizer.step();
      this.optimizer.zeroGrad();
      return loss.item();
    });
    this.iter++;
    this.stepMs.push(performance.now() - started);
    return loss;
  }

  /** Mean loss over the fixed evaluation batches of each split (evaluation mode, no gradients). */
  evaluate(): GptEvalRecord {
    this.model.eval();
    const mean = (batches: TokenBatch[]) =>
      batches.reduce((sum, b) => sum + tidy(() => noGrad(() => batchLoss(this.model, b, this.config.batch).item())), 0) / batches.length;
    const record = { iter: this.iter, train_loss: mean(this.evalBatches.train), val_loss: mean(this.evalBatches.val) };
    this.model.train();
    return record;
  }

  /** The median step time of this process in milliseconds (NaN before the first step). */
  medianStepMs(): number {
    if (this.stepMs.length === 0) return NaN;
    const s = [...this.stepMs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  }
}

/** Trains a GPT step by step (`step`), evaluating on demand (`evaluate`); `run` in gpt-run.ts drives it. */
export class GptTrainer extends LanguageModelTrainer<GPT, GptTrainConfig> {
  constructor(config: GptTrainConfig, data: GptData) {
    super(config, data, (rng) => new GPT(config.model, rng));
  }
}
