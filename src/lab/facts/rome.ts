// A rank-one edit of one MLP's down-projection (ROME, Meng et al. 2022): the MLP's neurons at a key
// position (the subject's last token, as in ROME, or the prompt's last token) are a key k*; find the output
// change δ that makes the model state the new fact there, then change W↓ by a rank-one matrix so that
// W↓k* moves by δ while the keys of everything else (their second moment C) move as little as possible:
// W↓ ← W↓ + δ·(C⁻¹k*)ᵀ / (k*ᵀC⁻¹k*). Node-free: the web lab's lesson 7 page runs it too.

import { keep, noGrad, tidy } from "../../core/engine.js";
import * as ops from "../../core/ops.js";
import type { Tensor } from "../../core/tensor.js";
import { GptCapture, type GPT } from "../../models/gpt/model.js";
import { Adam } from "../../optim/adam.js";
import { heldOutTemplate, promptOf, TEMPLATES, type FactCorpus, type FactPrompt, type Relation } from "./corpus.js";
import { batchIds, byLength } from "./fact-gpt.js";

/** Where a key is read and the value written: ROME's last subject token, or the prompt's last token. */
export type KeySite = "last subject token" | "last token";

/** The position of `site` in prompt `p`. */
export function keyPosition(p: FactPrompt, site: KeySite): number {
  return site === "last token" ? p.tokens.length - 1 : p.subject[1];
}

/** The MLP neurons (after GELU) of block `layer` at `site` of each prompt: one key (4C values) per prompt. */
export function mlpKeys(model: GPT, corpus: FactCorpus, prompts: readonly FactPrompt[], layer: number, site: KeySite): Float32Array[] {
  const width = 4 * model.config.nEmbd;
  const keys = new Array<Float32Array>(prompts.length);
  for (const [T, group] of byLength(prompts)) {
    const ids = batchIds(corpus, prompts, group, T);
    const hidden = tidy(() =>
      noGrad(() => {
        const capture = new GptCapture(["mlpHidden"]);
        model.forward(ops.tensor(ids, [group.length, T], "int32"), { capture });
        return capture.mlpHidden[layer].toArray() as Float32Array; // (B, T, 4C)
      }),
    );
    group.forEach((i, row) => {
      const t = keyPosition(prompts[i], site);
      keys[i] = hidden.slice((row * T + t) * width, (row * T + t + 1) * width);
    });
  }
  return keys;
}

/** The mean of `keys`. */
export function meanKey(keys: readonly ArrayLike<number>[]): Float64Array {
  const k = new Float64Array(keys[0].length);
  for (const key of keys) for (let i = 0; i < k.length; i++) k[i] += key[i] / keys.length;
  return k;
}

/**
 * C = E[k kᵀ] of every block's MLP neurons over every position of `text` (token ids, read in consecutive
 * windows of the model's context, one forward pass for all blocks), plus `ridge`·mean(diag C) on the
 * diagonal so it can be inverted: `matrices[l]` is block l's (4C × 4C). ROME estimates it from many tokens
 * of generic text (Wikipedia); here the corpus's training text plays that part. Keys taken only where edits
 * are made (one per prompt) are too few and too alike for a 4C × 4C matrix, and the edit then spills onto
 * other people.
 */
export function keySecondMoments(model: GPT, text: Int32Array, ridge: number): { matrices: Float64Array[][]; samples: number } {
  const T = model.config.blockSize;
  const L = model.config.nLayer;
  const d = 4 * model.config.nEmbd;
  const windows = Math.floor(text.length / T);
  const sums = Array.from({ length: L }, () => new Float64Array(d * d));
  const rowsPerBatch = 64;
  for (let first = 0; first < windows; first += rowsPerBatch) {
    const B = Math.min(rowsPerBatch, windows - first);
    tidy(() =>
      noGrad(() => {
        const capture = new GptCapture(["mlpHidden"]);
        model.forward(ops.tensor(text.subarray(first * T, (first + B) * T), [B, T], "int32"), { capture });
        capture.mlpHidden.forEach((hidden, l) => {
          const keys = hidden.reshape([B * T, d]); // (B·T, 4C)
          const kk = ops.matmul(keys, keys, { transA: true }).toArray(); // (4C, 4C)
          for (let i = 0; i < kk.length; i++) sums[l][i] += kk[i];
        });
      }),
    );
  }
  const samples = windows * T;
  const matrices = sums.map((sum) => {
    const matrix = Array.from({ length: d }, (_, i) => Float64Array.from(sum.subarray(i * d, (i + 1) * d), (v) => v / samples));
    let trace = 0;
    for (let i = 0; i < d; i++) trace += matrix[i][i];
    for (let i = 0; i < d; i++) matrix[i][i] += (ridge * trace) / d;
    return matrix;
  });
  return { matrices, samples };
}

/** Solves A x = b for a symmetric positive definite A (Cholesky, float64). */
export function solveSpd(a: readonly Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j][j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/** Settings of {@link valueShift}. */
export interface ValueShiftOptions {
  /** Most Adam steps. */
  steps: number;
  lr: number;
  /** Weight of ‖δ‖² in the loss. */
  decay: number;
  /** Stop once the mean probability of the target over the prompts reaches this (ROME stops early too). */
  stopAt: number;
  /** Weight of KL(before ‖ after) on `keepPrompts`' next-token distributions (ROME's "essence" term). */
  kl: number;
}

/** Log-probabilities (B, V) of the next token after each row of a (B, T) batch of one prompt length. */
function lastLogProbs(model: GPT, ids: Int32Array, B: number, T: number, patch?: Parameters<GPT["forward"]>[1]): Tensor {
  const logits = model.forward(ops.tensor(ids, [B, T], "int32"), patch); // (B, T, V)
  const V = logits.shape[2];
  return ops.slice(logits, [0, T - 1, 0], [B, T, V]).reshape([B, V]).logSoftmax(-1); // (B, V)
}

/**
 * The change δ of block `layer`'s MLP output at `site` that makes the model answer `target` after each
 * of `prompts`: Adam on δ, added on the model's own forward pass through its `patch` option, minimising
 * the mean −log p(target) + `kl`·KL(before ‖ after) on `keepPrompts` (δ added at their own `site`) +
 * `decay`·‖δ‖², stopping early once p(target) reaches `stopAt` on average (more only pushes δ further
 * from anything the model has seen, and the edit then spills onto other keys). Returns δ and the steps
 * taken.
 */
export function valueShift(
  model: GPT,
  corpus: FactCorpus,
  prompts: readonly FactPrompt[],
  layer: number,
  site: KeySite,
  target: string,
  opts: ValueShiftOptions,
  keepPrompts: readonly FactPrompt[] = [],
): { delta: Float32Array; steps: number; targetProbability: number } {
  const C = model.config.nEmbd;
  const targetId = corpus.vocab.indexOf(target);
  // each group of one length: ids (B, T), a mask (B, T, 1) that is 1 at each row's site, and for kept prompts their log-probs before
  const batches = (ps: readonly FactPrompt[]) =>
    [...byLength(ps)].map(([T, group]) => {
      const at = new Float32Array(group.length * T);
      group.forEach((i, row) => (at[row * T + keyPosition(ps[i], site)] = 1));
      return { T, B: group.length, ids: batchIds(corpus, ps, group, T), at };
    });
  const edit = batches(prompts);
  const kept = batches(keepPrompts).map((b) => ({ ...b, before: tidy(() => noGrad(() => lastLogProbs(model, b.ids, b.B, b.T).exp().toArray())) }));
  const delta = keep(ops.zeros([C])).requireGrad();
  const optimizer = new Adam([["delta", delta]], { lr: opts.lr });
  const patched = (at: Float32Array, B: number, T: number) => {
    const where = ops.tensor(at, [B, T, 1]);
    return { patch: (s: string, l: number, x: Tensor) => (s === "mlpOut" && l === layer ? x.add(where.mul(delta)) : x) };
  };
  let steps = 0;
  let targetProbability = 0;
  try {
    for (; steps < opts.steps; steps++) {
      const done = tidy(() => {
        let nll: Tensor = ops.scalar(0);
        let p = 0;
        for (const b of edit) {
          const logp = lastLogProbs(model, b.ids, b.B, b.T, patched(b.at, b.B, b.T));
          const onTarget = ops.slice(logp, [0, targetId], [b.B, targetId + 1]); // (B, 1)
          p += (onTarget.exp().toArray() as Float32Array).reduce((s, v) => s + v, 0);
          nll = nll.sub(onTarget.sum());
        }
        targetProbability = p / prompts.length;
        if (targetProbability >= opts.stopAt) return true;
        let loss = nll.div(prompts.length).add(delta.mul(delta).sum().mul(opts.decay));
        if (opts.kl > 0 && kept.length) {
          let kl: Tensor = ops.scalar(0);
          for (const b of kept) {
            const logp = lastLogProbs(model, b.ids, b.B, b.T, patched(b.at, b.B, b.T));
            const before = ops.tensor(b.before, logp.shape);
            kl = kl.add(before.mul(before.log().sub(logp)).sum()); // Σ p (log p − log q)
          }
          loss = loss.add(kl.div(keepPrompts.length).mul(opts.kl));
        }
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return false;
      });
      if (done) break;
    }
    return { delta: delta.toArray() as Float32Array, steps, targetProbability };
  } finally {
    delta.dispose();
    optimizer.setState({ step: 0, tensors: {} }); // releases Adam's moment tensors
  }
}

/** u = C⁻¹k* / (k*ᵀC⁻¹k*): the edit's read-out, so that uᵀk* = 1 and W↓k moves by δ·(uᵀk). */
export function editDirection(key: Float64Array, covariance: readonly Float64Array[]): Float64Array {
  const cInvK = solveSpd(covariance, key);
  let denominator = 0;
  for (let j = 0; j < key.length; j++) denominator += key[j] * cInvK[j];
  return cInvK.map((v) => v / denominator);
}

/**
 * How far each key moves along δ under the edit: uᵀk (1 for k*, ideally ≈ 1 for the edited fact's
 * keys and ≈ 0 for everyone else's). The diagnosis of efficacy and specificity in one number per key.
 */
export function keyGains(u: Float64Array, keys: readonly ArrayLike<number>[]): number[] {
  return keys.map((k) => {
    let s = 0;
    for (let j = 0; j < u.length; j++) s += u[j] * k[j];
    return s;
  });
}

/**
 * Applies the rank-one edit W↓ ← W↓ + δ uᵀ to block `layer`'s MLP down-projection. The engine stores
 * Linear weights [out, in], so c_proj.weight is (C, 4C) and row i gains δᵢ·u (GPT-2's Conv1D file layout
 * is the transpose, [4C, C]; hf.ts converts). Returns the weights before, for {@link undoRankOne}.
 */
export function applyRankOne(model: GPT, layer: number, delta: Float32Array, u: Float64Array): Float32Array {
  const w = model.h[layer].mlp.c_proj.weight; // (C, 4C)
  const before = w.toArray() as Float32Array;
  const [rows, cols] = w.shape;
  if (rows !== delta.length || cols !== u.length) throw new Error(`applyRankOne: c_proj.weight is ${rows}×${cols}, δ has ${delta.length} and u ${u.length} entries`);
  const after = Float32Array.from(before);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) after[i * cols + j] += delta[i] * u[j];
  tidy(() => noGrad(() => w.assign(ops.tensor(after, [rows, cols]))));
  return before;
}

/** Puts back the weights {@link applyRankOne} returned. */
export function undoRankOne(model: GPT, layer: number, before: Float32Array): void {
  const w = model.h[layer].mlp.c_proj.weight;
  tidy(() => noGrad(() => w.assign(ops.tensor(before, [...w.shape]))));
}

/** One fact to change: `person`'s `relation` becomes `value`. */
export interface FactEditRequest {
  readonly person: number;
  readonly relation: Relation;
  readonly value: string;
}

/** Where and how {@link editFact} edits. */
export interface FactEditOptions {
  /** The block whose MLP down-projection changes. */
  readonly layer: number;
  /** Where the key is read and δ written. */
  readonly site: KeySite;
  /** C of that block's keys ({@link keySecondMoments}). */
  readonly covariance: readonly Float64Array[];
  readonly valueShift: ValueShiftOptions;
}

/** An edit in place: what it changed, and the weights to put back ({@link undoFactEdit}). */
export interface AppliedFactEdit {
  readonly layer: number;
  readonly site: KeySite;
  /** k*: the mean key over the contexts it was read in. */
  readonly key: Float64Array;
  /** u = C⁻¹k* / (k*ᵀC⁻¹k*); the change of W↓ is δ uᵀ. */
  readonly u: Float64Array;
  /** δ = v* − W↓k*. */
  readonly delta: Float32Array;
  /** Adam steps {@link valueShift} took, and the mean probability of the new value it reached with δ added. */
  readonly steps: number;
  readonly targetProbability: number;
  readonly weightsBefore: Float32Array;
}

/** The prompts of one fact: its training phrasings (the edit is found on them) and its held-out one. */
export function factPrompts(corpus: FactCorpus, person: number, relation: Relation): { edited: FactPrompt[]; heldOut: FactPrompt } {
  const held = heldOutTemplate(person, relation);
  const edited = TEMPLATES[relation].map((_, t) => t).filter((t) => t !== held).map((t) => promptOf(corpus.people, person, relation, t));
  return { edited, heldOut: promptOf(corpus.people, person, relation, held) };
}

/**
 * ROME's rank-one edit of one fact, in place: the key k* is the mean MLP hidden vector at the site — at the
 * last subject token over every training prompt that names the person (several contexts, as ROME averages
 * over random prefixes), at the last token over the fact's training phrasings; δ is found by
 * {@link valueShift} on the fact's training phrasings (at the subject, with a KL term keeping the
 * person's other facts, ROME's "essence" term); then W↓ ← W↓ + δ·(C⁻¹k*)ᵀ/(k*ᵀC⁻¹k*). Undo with
 * {@link undoFactEdit}.
 */
export function editFact(model: GPT, corpus: FactCorpus, request: FactEditRequest, opts: FactEditOptions): AppliedFactEdit {
  const { layer, site } = opts;
  const { edited } = factPrompts(corpus, request.person, request.relation);
  const named = corpus.trainPrompts.filter((p) => p.person === request.person);
  const key = meanKey(mlpKeys(model, corpus, site === "last subject token" ? named : edited, layer, site));
  const u = editDirection(key, opts.covariance);
  const keepPrompts = site === "last subject token" ? named.filter((p) => p.relation !== request.relation) : [];
  const shift = valueShift(model, corpus, edited, layer, site, request.value, opts.valueShift, keepPrompts);
  const weightsBefore = applyRankOne(model, layer, shift.delta, u);
  return { layer, site, key, u, delta: shift.delta, steps: shift.steps, targetProbability: shift.targetProbability, weightsBefore };
}

/** Puts the model back as it was before `edit`. */
export function undoFactEdit(model: GPT, edit: AppliedFactEdit): void {
  undoRankOne(model, edit.layer, edit.weightsBefore);
}
