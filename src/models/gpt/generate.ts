// Autoregressive generation (lesson 5: predict, sample, append, repeat) with a KV cache, so each new
// token runs the model on one position. Once the context is full, the window slides: the model runs on
// the last blockSize tokens, as nanoGPT's generate() does.

import { noGrad, tidy } from "../../core/engine.js";
import { NnlabError } from "../../core/errors.js";
import * as ops from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import { KVCache } from "./kv-cache.js";
import type { GPT } from "./model.js";
import { sampleNext, validateSampling, type SamplingOptions } from "./sampling.js";

/** One generated token, as {@link generate} reports it. */
export interface GeneratedToken {
  id: number;
  /** The distribution it was drawn from (after temperature, top-k, top-p). */
  probs: Float64Array;
  /** Its position in the whole sequence (prompt included). */
  position: number;
}

export interface GenerateOptions extends SamplingOptions {
  /** How many tokens to generate. */
  maxNewTokens: number;
  rng: Rng;
  /** Called with each token as soon as it is chosen (streaming). */
  onToken?: (t: GeneratedToken) => void;
  /** Use the KV cache (default true); false recomputes the whole context every step. */
  cache?: boolean;
  /** Sample only ids below this (a tokenizer smaller than the model's padded vocabulary, as nanoGPT's 50,304). */
  vocabLimit?: number;
}

/** The logits of the last position of `ids` as a plain array. */
function lastLogits(model: GPT, ids: readonly number[], cache: KVCache | undefined): Float32Array {
  return tidy(() => {
    const logits = model.forward(ops.tensor(Int32Array.from(ids), [1, ids.length], "int32"), { cache }); // (1, T, V)
    const [, T, V] = logits.shape;
    return ops.reshape(ops.slice(logits, [0, T - 1, 0], [1, T, V]), [V]).toArray() as Float32Array;
  });
}

/** Checks the prompt and sampling options of a generation; throws an NnlabError naming the flag. */
function checkPrompt(model: GPT, prompt: readonly number[], opts: SamplingOptions): void {
  validateSampling(opts);
  if (prompt.length === 0) throw NnlabError.problem({ subject: "--prompt", expected: "at least one token", found: "an empty prompt" });
  const { blockSize } = model.config;
  if (prompt.length > blockSize) {
    throw NnlabError.problem({
      subject: "--prompt",
      expected: `at most ${blockSize} tokens (the model's context)`,
      found: `${prompt.length} tokens`,
      fix: "Shorten the prompt (or keep only its end).",
    });
  }
}

/**
 * Continues `prompt` one token per iteration, for as long as the caller asks (streaming): each `next()`
 * runs the model (evaluation mode, no gradients) on the new position and yields the chosen token. No
 * engine state spans a yield, so the caller may await between tokens (the web lab answers other
 * requests there). `return()` (or leaving a for-of loop) frees the KV cache.
 */
export function* generateSteps(model: GPT, prompt: readonly number[], opts: Omit<GenerateOptions, "maxNewTokens" | "onToken">): Generator<GeneratedToken, void, undefined> {
  checkPrompt(model, prompt, opts);
  const { blockSize } = model.config;
  const cache = (opts.cache ?? true) ? new KVCache(model.config.nLayer, blockSize) : undefined;
  const ids = [...prompt];
  let pending: number[] = ids.slice(); // tokens not yet run through the model
  try {
    for (;;) {
      const wasTraining = model.training;
      model.eval();
      let logits: Float32Array;
      try {
        // the cache holds every token before `pending` while the whole sequence fits in the context
        logits = noGrad(() =>
          cache && ids.length <= blockSize
            ? lastLogits(model, pending, cache)
            : lastLogits(model, ids.slice(-blockSize), undefined), // the window slides: positions shift, recompute
        );
      } finally {
        model.train(wasTraining);
      }
      const { id, probs } = sampleNext(opts.vocabLimit ? logits.subarray(0, opts.vocabLimit) : logits, opts, opts.rng);
      ids.push(id);
      pending = [id];
      yield { id, probs, position: ids.length - 1 };
    }
  } finally {
    cache?.dispose();
  }
}

/**
 * Continues `prompt` (token ids, at least one) by `maxNewTokens` tokens and returns the new ones.
 * The model runs in evaluation mode without gradients.
 */
export function generate(model: GPT, prompt: readonly number[], opts: GenerateOptions): number[] {
  checkPrompt(model, prompt, opts);
  const out: number[] = [];
  if (opts.maxNewTokens <= 0) return out;
  for (const token of generateSteps(model, prompt, opts)) {
    out.push(token.id);
    opts.onToken?.(token);
    if (out.length >= opts.maxNewTokens) break;
  }
  return out;
}
