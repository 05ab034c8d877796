// The typed configuration of a GPT training run and its presets: `tiny` (a character model that trains
// in under a minute) and `nanogpt-cpu` (nanoGPT README's CPU run on tiny Shakespeare). Shared by the CLI
// and the web lab.

import { NnlabError } from "../core/errors.js";
import { validateGptConfig, type GptConfig } from "../models/gpt/config.js";
import { gptParameterTally } from "../models/gpt-parameter-count.js";
import { gib, inWasmMemory } from "./config.js";

export const GPT_PRESETS = ["tiny", "nanogpt-cpu"] as const;
export type GptPresetName = (typeof GPT_PRESETS)[number];

/** Everything a GPT run needs besides its data. The model's vocabSize comes from the tokenizer. */
export interface GptTrainConfig {
  preset: GptPresetName;
  /** The model; `vocabSize` is set from the tokenizer when the run starts. */
  model: GptConfig;
  /** Sequences per batch (B); each is `model.blockSize` tokens (T). */
  batch: number;
  /** Optimizer steps. */
  iters: number;
  /** Peak learning rate (after warm-up). */
  lr: number;
  /** Learning rate at the end of the cosine decay. */
  minLr: number;
  /** Steps of linear warm-up. */
  warmup: number;
  /** AdamW weight decay, on matrices (embeddings and Linear weights) only. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  /** Clip the gradients' global norm to this (0: no clipping). */
  gradClip: number;
  /** Evaluate (and checkpoint) every this many steps, and at the end. */
  evalInterval: number;
  /** Batches per split in each evaluation (the same seeded batches every time). */
  evalIters: number;
  seed: number;
}

type PresetBase = Omit<GptTrainConfig, "seed">;

/** The presets' settings (vocabSize 0 until a tokenizer fills it in). */
export const GPT_PRESET_CONFIGS: Record<GptPresetName, PresetBase> = {
  // small enough to train on the embedded Shakespeare in under a minute on a laptop CPU
  tiny: {
    preset: "tiny",
    model: { nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 64, vocabSize: 0, bias: false, dropout: 0, tied: true, gelu: "tanh", layerNormEps: 1e-5 },
    batch: 16,
    iters: 600,
    lr: 3e-3,
    minLr: 3e-4,
    warmup: 50,
    weightDecay: 0.1,
    beta1: 0.9,
    beta2: 0.99,
    gradClip: 1,
    evalInterval: 150,
    evalIters: 10,
  },
  // nanoGPT README: train_shakespeare_char.py --device=cpu --eval_iters=20 --block_size=64 --batch_size=12
  // --n_layer=4 --n_head=4 --n_embd=128 --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0 (val loss 1.88)
  "nanogpt-cpu": {
    preset: "nanogpt-cpu",
    model: { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: 0, bias: false, dropout: 0, tied: true, gelu: "none", layerNormEps: 1e-5 },
    batch: 12,
    iters: 2000,
    lr: 1e-3,
    minLr: 1e-4,
    warmup: 100,
    weightDecay: 0.1,
    beta1: 0.9,
    beta2: 0.99,
    gradClip: 1,
    evalInterval: 250,
    evalIters: 20,
  },
};

/** Flags that override parts of a preset. */
export interface GptConfigOverrides {
  nLayer?: number;
  nHead?: number;
  nEmbd?: number;
  blockSize?: number;
  dropout?: number;
  bias?: boolean;
  batch?: number;
  iters?: number;
  lr?: number;
  minLr?: number;
  warmup?: number;
  weightDecay?: number;
  gradClip?: number;
  evalInterval?: number;
  evalIters?: number;
  seed?: number;
}

/** A preset with flags applied on top and the tokenizer's vocabulary size; checks the result. */
export function makeGptConfig(preset: GptPresetName, vocabSize: number, o: GptConfigOverrides = {}): GptTrainConfig {
  const base = GPT_PRESET_CONFIGS[preset];
  if (!base) throw NnlabError.problem({ subject: "--preset", expected: GPT_PRESETS.join(" | "), found: JSON.stringify(preset) });
  const m = base.model;
  const config: GptTrainConfig = {
    ...base,
    model: {
      ...m,
      nLayer: o.nLayer ?? m.nLayer,
      nHead: o.nHead ?? m.nHead,
      nEmbd: o.nEmbd ?? m.nEmbd,
      blockSize: o.blockSize ?? m.blockSize,
      dropout: o.dropout ?? m.dropout,
      bias: o.bias ?? m.bias,
      vocabSize,
    },
    batch: o.batch ?? base.batch,
    iters: o.iters ?? base.iters,
    lr: o.lr ?? base.lr,
    minLr: o.minLr ?? Math.min(base.minLr, o.lr ?? base.lr),
    warmup: o.warmup ?? Math.min(base.warmup, o.iters ?? base.iters),
    weightDecay: o.weightDecay ?? base.weightDecay,
    gradClip: o.gradClip ?? base.gradClip,
    evalInterval: o.evalInterval ?? base.evalInterval,
    evalIters: o.evalIters ?? base.evalIters,
    seed: o.seed ?? 1337,
  };
  return validateGptTrainConfig(config);
}

function check(ok: boolean, subject: string, expected: string, found: unknown): void {
  if (!ok) throw NnlabError.problem({ subject, expected, found: JSON.stringify(found) ?? String(found) });
}

const whole = (v: unknown, min: number, max: number) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

/** Checks every field (for configs from flags, or from a run's config.json with `source` set). */
export function validateGptTrainConfig(c: GptTrainConfig, source = ""): GptTrainConfig {
  const at = (flag: string) => (source ? `${source}: ${flag}` : `--${flag}`);
  check(GPT_PRESETS.includes(c.preset), at("preset"), GPT_PRESETS.join(" | "), c.preset);
  check(typeof c.model === "object" && c.model !== null, at("model"), "an object", c.model);
  validateGptConfig(c.model, source);
  check(whole(c.batch, 1, 100_000), at("batch"), "a whole number from 1 to 100000", c.batch);
  check(whole(c.iters, 1, 10_000_000), at("iters"), "a whole number from 1 to 10000000", c.iters);
  check(typeof c.lr === "number" && c.lr > 0 && c.lr <= 10, at("lr"), "a learning rate > 0 and <= 10", c.lr);
  check(typeof c.minLr === "number" && c.minLr >= 0 && c.minLr <= c.lr, at("min-lr"), `a number from 0 to the learning rate ${c.lr}`, c.minLr);
  check(whole(c.warmup, 0, c.iters), at("warmup"), `a whole number from 0 to the iterations (${c.iters})`, c.warmup);
  check(typeof c.weightDecay === "number" && c.weightDecay >= 0 && c.weightDecay < 10, at("weight-decay"), "a number >= 0", c.weightDecay);
  check(typeof c.beta1 === "number" && c.beta1 >= 0 && c.beta1 < 1, at("beta1"), "a number in [0, 1)", c.beta1);
  check(typeof c.beta2 === "number" && c.beta2 >= 0 && c.beta2 < 1, at("beta2"), "a number in [0, 1)", c.beta2);
  check(typeof c.gradClip === "number" && c.gradClip >= 0, at("grad-clip"), "a number >= 0 (0: no clipping)", c.gradClip);
  check(whole(c.evalInterval, 1, 10_000_000), at("eval-interval"), "a whole number >= 1", c.evalInterval);
  check(whole(c.evalIters, 1, 100_000), at("eval-iters"), "a whole number >= 1", c.evalIters);
  check(whole(c.seed, 0, 2 ** 32 - 1), at("seed"), "a whole number from 0 to 4294967295", c.seed);
  return c;
}

/**
 * Bytes of engine memory one training step needs, roughly: weights, gradients and AdamW's two moments
 * (4 floats per parameter), plus the activations kept for the backward pass: per block about 20 floats
 * per token and channel and 4 per attention weight, and the logits with their softmax and gradient.
 */
export function gptTrainingBytes(c: GptTrainConfig): number {
  const m = c.model;
  const p = gptParameterTally(m).fullTotal;
  const tokens = c.batch * m.blockSize;
  const perBlock = 20 * tokens * m.nEmbd + 4 * c.batch * m.nHead * m.blockSize * m.blockSize;
  return 4 * (4 * p + m.nLayer * perBlock + 3 * tokens * m.vocabSize);
}

/**
 * Refuses a training config whose model and step cannot fit in the backend's memory, before anything
 * is allocated (a failed allocation of many GB comes late and reads as an internal error).
 * @param limit bytes the backend's tensors may use (memoryLimit in checkpoint.ts).
 */
export function checkGptFitsInMemory(c: GptTrainConfig, backend: string, limit: number, source = ""): void {
  const need = gptTrainingBytes(c);
  if (need <= limit) return;
  const m = c.model;
  throw NnlabError.problem({
    subject: source || "--n-layer/--n-embd/--batch/--block-size",
    expected: `a GPT and batch that fit in the ${backend} backend's memory (${gib(limit)}${inWasmMemory(backend) ? ", WebAssembly's limit" : ""})`,
    found: `${m.nLayer} layers of width ${m.nEmbd}, ${gptParameterTally(m).fullTotal.toLocaleString("en-US")} parameters, batch ${c.batch} × ${m.blockSize} tokens: about ${gib(need)} to train`,
    fix: "Use fewer or narrower layers, a smaller batch or a shorter context (the presets fit).",
  });
}
