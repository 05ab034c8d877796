// Turning a GPT's last logits into the next token (lesson 5): softmax with a temperature, optionally cut
// to the top-k tokens or the top-p nucleus, then a seeded draw. Plain numbers, no tensors and no Node
// built-ins, so the web lab runs the same code.

import { NnlabError } from "../../core/errors.js";
import type { Rng } from "../../core/rng.js";

/** How to pick the next token. */
export interface SamplingOptions {
  /** Divides the logits before softmax: < 1 sharpens, > 1 flattens; 0 means greedy (always the arg-max). */
  temperature: number;
  /** Keep only the k most likely tokens (0 or undefined: all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability adds up to at least p, in (0, 1] (1: all). */
  topP?: number;
}

/** Checks sampling options; errors name the CLI flag (`--temperature`, `--top-k`, `--top-p`). */
export function validateSampling(o: SamplingOptions): SamplingOptions {
  if (!Number.isFinite(o.temperature) || o.temperature < 0) {
    throw NnlabError.problem({ subject: "--temperature", expected: "a number >= 0 (0 = always the most likely token)", found: String(o.temperature) });
  }
  if (o.topK !== undefined && (!Number.isInteger(o.topK) || o.topK < 0)) {
    throw NnlabError.problem({ subject: "--top-k", expected: "a whole number >= 1 (or 0 for no cut)", found: String(o.topK) });
  }
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) {
    throw NnlabError.problem({ subject: "--top-p", expected: "a number in (0, 1] (1 keeps every token)", found: String(o.topP) });
  }
  return o;
}

/** The index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** softmax(logits / T) in float64; T = 0 gives all probability to the arg-max. */
export function softmaxWithTemperature(logits: ArrayLike<number>, temperature: number): Float64Array {
  const p = new Float64Array(logits.length);
  if (temperature === 0) {
    p[argmax(logits)] = 1;
    return p;
  }
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    p[i] = Math.exp((logits[i] - max) / temperature);
    sum += p[i];
  }
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/** Token ids sorted by probability, most likely first (ties: lower id first). */
function ranked(p: Float64Array): number[] {
  return Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
}

/**
 * The indices of the `k` largest values, largest first (ties: lower index first), in one pass: a
 * 50,257-token vocabulary needs no full sort for its top few.
 */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const n = Math.min(Math.max(0, Math.floor(k)), values.length);
  const top: number[] = [];
  for (let i = 0; i < values.length && n > 0; i++) {
    const v = values[i];
    if (top.length === n && !(v > values[top[n - 1]])) continue; // not above the smallest kept (ties keep the earlier index)
    let at = top.length === n ? n - 1 : top.length;
    while (at > 0 && v > values[top[at - 1]]) {
      top[at] = top[at - 1];
      at--;
    }
    top[at] = i;
  }
  return top;
}

/**
 * The distribution the next token is drawn from: softmax(logits / T), then only the top-k tokens, then
 * only the top-p nucleus, renormalised to sum to 1.
 */
export function nextTokenProbabilities(logits: ArrayLike<number>, opts: SamplingOptions): Float64Array {
  const p = softmaxWithTemperature(logits, opts.temperature);
  const k = opts.topK ?? 0;
  const topP = opts.topP ?? 1;
  if ((k > 0 && k < p.length) || topP < 1) {
    const order = ranked(p);
    let keep = k > 0 ? Math.min(k, p.length) : p.length;
    if (topP < 1) {
      let mass = 0;
      for (let i = 0; i < keep; i++) {
        mass += p[order[i]];
        if (mass >= topP) {
          keep = i + 1;
          break;
        }
      }
    }
    for (let i = keep; i < order.length; i++) p[order[i]] = 0;
    let sum = 0;
    for (let i = 0; i < p.length; i++) sum += p[i];
    for (let i = 0; i < p.length; i++) p[i] /= sum;
  }
  return p;
}

/** Draws an index from probabilities `p` (summing to 1) with one uniform number from `rng`. */
export function drawToken(p: ArrayLike<number>, rng: Rng): number {
  const u = rng.random();
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] <= 0) continue;
    cumulative += p[i];
    last = i;
    if (u < cumulative) return i;
  }
  return last; // rounding left u just above the total
}

/** The `n` most likely tokens with their probabilities (the lesson's bar chart). */
export function topCandidates(p: Float64Array, n: number): { id: number; p: number }[] {
  return topIndices(p, n).map((id) => ({ id, p: p[id] }));
}

/** Picks the next token from logits: greedy at temperature 0 (no random number used), else a seeded draw. */
export function sampleNext(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng): { id: number; probs: Float64Array } {
  const probs = nextTokenProbabilities(logits, opts);
  return { id: opts.temperature === 0 ? argmax(probs) : drawToken(probs, rng), probs };
}
