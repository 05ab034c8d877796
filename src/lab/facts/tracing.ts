// Causal tracing (Meng et al. 2022, "Locating and Editing Factual Associations in GPT", ROME): corrupt the
// subject's token embeddings with noise, then restore one hidden state at a time from the clean run and
// measure how much of the correct answer's probability comes back. Runs on the GPT's own forward pass
// through its `patch` option. Node-free: the web lab's lesson 7 page runs it too.

import { noGrad, tidy } from "../../core/engine.js";
import * as ops from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { GptCapture, type GPT, type GptPatchSite } from "../../models/gpt/model.js";
import { encode, type FactCorpus, type FactPrompt } from "./corpus.js";
import { predictNext } from "./fact-gpt.js";
import type { KeySite } from "./rome.js";

/** The hidden states a trace restores: a block's output (residual stream), its MLP's output, its attention's output. */
export const TRACED = ["residual", "mlpOut", "attnOut"] as const satisfies readonly GptPatchSite[];
export type Traced = (typeof TRACED)[number];

/** Where a position sits relative to the subject, the columns of ROME's pictures. */
export const POSITION_KINDS = ["before subject", "first subject token", "last subject token", "further tokens", "last token"] as const;
export type PositionKind = (typeof POSITION_KINDS)[number];

/** The kind of position `t` in a prompt of `T` tokens whose subject spans `subject`. */
export function positionKind(t: number, T: number, subject: readonly [number, number]): PositionKind {
  if (t === T - 1) return "last token";
  if (t < subject[0]) return "before subject";
  if (t === subject[0]) return "first subject token";
  if (t === subject[1]) return "last subject token";
  return "further tokens";
}

/** One traced prompt: probabilities of the answer clean, corrupted, and restored at each (layer, position). */
export interface PromptTrace {
  readonly clean: number;
  readonly corrupted: number;
  /** restored[site][layer][t]: the answer's probability with that one state restored. */
  readonly restored: Record<Traced, number[][]>;
}

/** The answer's probability at the last position of each row of logits (B, T, V). */
function answerProbabilities(logits: Tensor, answer: number): Float32Array {
  const [B, T, V] = logits.shape;
  const last = ops.slice(logits, [0, T - 1, 0], [B, T, V]).reshape([B, V]).softmax(-1); // (B, V)
  return ops.slice(last, [0, answer], [B, answer + 1]).toArray() as Float32Array;
}

/**
 * Causal tracing of one fact (ROME's Figure 1): `samples` noise draws N(0, noise²) are added to the
 * subject's token embeddings (the input of block 0); then, for each traced site (block output, MLP output,
 * attention output) and layer, one batched forward restores each position t in turn (batch rows
 * t·samples …) to its value in the clean run. Returns the answer's probability clean, corrupted and
 * restored at every (site, layer, position), each a mean over the noise draws.
 */
export function traceFact(model: GPT, corpus: FactCorpus, prompt: FactPrompt, opts: { samples: number; noise: number; rng: Rng }): PromptTrace {
  const ids = encode(corpus, prompt.tokens);
  const answer = corpus.vocab.indexOf(prompt.answer);
  const T = ids.length;
  const L = model.config.nLayer;
  const C = model.config.nEmbd;
  const S = opts.samples;
  return tidy(() =>
    noGrad(() => {
      const capture = new GptCapture(["residual", "mlpOut", "attnOut"]);
      const clean = answerProbabilities(model.forward(ops.tensor(ids, [1, T], "int32"), { capture }), answer)[0];
      const cleanStates: Record<Traced, Float32Array[]> = { residual: [], mlpOut: [], attnOut: [] };
      for (const site of TRACED) for (let l = 0; l < L; l++) cleanStates[site][l] = capture[site][l].toArray() as Float32Array; // (1, T, C)
      // the same noise draws for every run: (S, T, C), non-zero only at the subject's positions
      const noise = new Float32Array(S * T * C);
      for (let s = 0; s < S; s++) for (let t = prompt.subject[0]; t <= prompt.subject[1]; t++) for (let c = 0; c < C; c++) noise[(s * T + t) * C + c] = opts.rng.normal(0, opts.noise);
      const corrupt = (rows: number) => (site: string, _layer: number, x: Tensor) => {
        if (site !== "embeddings") return x;
        const reps = rows / S;
        const n = new Float32Array(rows * T * C);
        for (let r = 0; r < reps; r++) n.set(noise, r * S * T * C);
        return x.add(ops.tensor(n, [rows, T, C]));
      };
      const corrupted = mean(answerProbabilities(model.forward(ops.tensor(tile(ids, S), [S, T], "int32"), { patch: corrupt(S) }), answer));
      const restored = { residual: [], mlpOut: [], attnOut: [] } as Record<Traced, number[][]>;
      const rows = T * S;
      // row block t restores position t: mask (rows, T, 1) is 1 at (t·S + s, t)
      const mask = new Float32Array(rows * T);
      for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) mask[(t * S + s) * T + t] = 1;
      const keep = ops.tensor(mask, [rows, T, 1]);
      for (const site of TRACED) {
        for (let l = 0; l < L; l++) {
          const cleanState = ops.tensor(cleanStates[site][l], [1, T, C]);
          const noised = corrupt(rows);
          const patch = (s: string, layer: number, x: Tensor) => (s === site && layer === l ? ops.where(keep, cleanState, x) : noised(s, layer, x));
          const p = answerProbabilities(model.forward(ops.tensor(tile(ids, rows), [rows, T], "int32"), { patch }), answer);
          restored[site][l] = Array.from({ length: T }, (_, t) => mean(p.subarray(t * S, (t + 1) * S)));
        }
      }
      return { clean, corrupted, restored };
    }),
  );
}

function tile(ids: Int32Array, times: number): Int32Array {
  const out = new Int32Array(ids.length * times);
  for (let i = 0; i < times; i++) out.set(ids, i * ids.length);
  return out;
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / Math.max(1, xs.length);
}

/** The mean indirect effect (restored − corrupted probability) by layer and position kind, per site. */
export function averageEffects(traces: readonly { trace: PromptTrace; prompt: FactPrompt }[], layers: number): Record<Traced, number[][]> {
  const out = {} as Record<Traced, number[][]>;
  for (const site of TRACED) {
    const sum = Array.from({ length: layers }, () => new Array<number>(POSITION_KINDS.length).fill(0));
    const count = Array.from({ length: layers }, () => new Array<number>(POSITION_KINDS.length).fill(0));
    for (const { trace, prompt } of traces) {
      const T = prompt.tokens.length;
      for (let l = 0; l < layers; l++) {
        for (let t = 0; t < T; t++) {
          const k = POSITION_KINDS.indexOf(positionKind(t, T, prompt.subject));
          sum[l][k] += trace.restored[site][l][t] - trace.corrupted;
          count[l][k]++;
        }
      }
    }
    out[site] = sum.map((row, l) => row.map((v, k) => (count[l][k] ? v / count[l][k] : 0)));
  }
  return out;
}

/** Correctly answered training prompts, spread over people and relations, for tracing. */
export function tracedPrompts(model: GPT, corpus: FactCorpus, count: number, rng: Rng): FactPrompt[] {
  const predicted = predictNext(model, corpus, corpus.trainPrompts);
  const right = corpus.trainPrompts.filter((p, i) => corpus.vocab[predicted[i]] === p.answer);
  const order = rng.permutation(right.length);
  return Array.from(order.slice(0, count), (i) => right[i]);
}

/** 3× the standard deviation of the token embeddings' entries (ROME's noise level). */
export function noiseLevel(model: GPT): number {
  const w = model.wte.weight.toArray();
  let m = 0;
  for (let i = 0; i < w.length; i++) m += w[i] / w.length;
  let v = 0;
  for (let i = 0; i < w.length; i++) v += (w[i] - m) ** 2 / w.length;
  return 3 * Math.sqrt(v);
}

/** What {@link traceFacts} finds over many prompts. */
export interface TracedFacts {
  /** Standard deviation of the noise on the subject's embeddings. */
  noise: number;
  /** Mean indirect effect, [layer][position kind] ({@link POSITION_KINDS}), per traced site. */
  effects: Record<Traced, number[][]>;
  /** The layer whose MLP output at the last subject token has the largest mean effect. */
  mlpLayer: number;
  /** Mean probability of the answer in the clean and in the corrupted runs. */
  clean: number;
  corrupted: number;
}

/**
 * Traces each of `prompts` ({@link traceFact}, noise 3× the spread of W_E's entries as in ROME) and
 * averages the indirect effects by layer and position kind.
 */
export function traceFacts(model: GPT, corpus: FactCorpus, prompts: readonly FactPrompt[], samples: number, rng: Rng, onPrompt?: (done: number) => void): TracedFacts {
  const noise = noiseLevel(model);
  const traces = prompts.map((prompt, i) => {
    const trace = traceFact(model, corpus, prompt, { samples, noise, rng });
    onPrompt?.(i + 1);
    return { prompt, trace };
  });
  const effects = averageEffects(traces, model.config.nLayer);
  const column = POSITION_KINDS.indexOf("last subject token");
  const mlp = effects.mlpOut.map((row) => row[column]);
  const mean = (f: (t: (typeof traces)[number]) => number) => traces.reduce((s, t) => s + f(t), 0) / Math.max(1, traces.length);
  return { noise, effects, mlpLayer: mlp.indexOf(Math.max(...mlp)), clean: mean((t) => t.trace.clean), corrupted: mean((t) => t.trace.corrupted) };
}

/**
 * Where to edit, from the trace: the key position (last subject token or last token) whose MLP outputs
 * have the larger summed indirect effect, and there the layer with the largest. The last block is left out
 * at the subject: only attention carries the subject's position forward, and the last block's MLP output
 * there reaches no later block.
 */
export function editSite(mlpEffects: readonly (readonly number[])[]): { layer: number; site: KeySite } {
  const column = (kind: (typeof POSITION_KINDS)[number]) => mlpEffects.map((row) => row[POSITION_KINDS.indexOf(kind)]);
  const subject = column("last subject token").slice(0, -1);
  const last = column("last token");
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const [site, effects]: [KeySite, number[]] = sum(subject) > sum(last) ? ["last subject token", subject] : ["last token", last];
  return { site, layer: effects.indexOf(Math.max(...effects)) };
}
