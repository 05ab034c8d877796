// Test fixtures for the GPT: a tiny random GPT-2 checkpoint written in Hugging Face's layout by the test
// itself (config.json + model.safetensors, Conv1D weights [in, out]), and GPT-2's forward pass written
// independently in float64 plain loops, straight from the GPT-2 paper / HF's modeling_gpt2.py.

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Rng } from "../../src/core/rng.js";
import { encodeSafetensors, type SafeTensor } from "../../src/io/safetensors.js";

export interface TinyGpt2 {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  nPositions: number;
  vocab: number;
  activation: "gelu_new" | "gelu";
  tied: boolean;
  /** Weights by HF name (no prefix), HF layout, float64 copies of the float32 values written. */
  w: Record<string, { shape: number[]; data: Float64Array }>;
}

/** Random GPT-2 weights in HF's layout; std 0.3 so logits are O(1) and differences show. */
export function tinyGpt2(opts: Partial<Omit<TinyGpt2, "w">> & { seed?: number } = {}): TinyGpt2 {
  const g: TinyGpt2 = { nLayer: 2, nHead: 2, nEmbd: 8, nPositions: 16, vocab: 11, activation: "gelu_new", tied: true, w: {}, ...opts };
  const rng = new Rng(opts.seed ?? 7);
  const C = g.nEmbd;
  const add = (name: string, shape: number[], std = 0.3, mean = 0) => {
    const n = shape.reduce((a, b) => a * b, 1);
    // round through float32: the file holds float32, the reference computes with exactly those values
    g.w[name] = { shape, data: Float64Array.from(Float32Array.from({ length: n }, () => rng.normal(mean, std))) };
  };
  add("wte.weight", [g.vocab, C]);
  add("wpe.weight", [g.nPositions, C]);
  for (let l = 0; l < g.nLayer; l++) {
    const p = `h.${l}.`;
    add(p + "ln_1.weight", [C], 0.2, 1);
    add(p + "ln_1.bias", [C], 0.2);
    add(p + "attn.c_attn.weight", [C, 3 * C]);
    add(p + "attn.c_attn.bias", [3 * C], 0.1);
    add(p + "attn.c_proj.weight", [C, C]);
    add(p + "attn.c_proj.bias", [C], 0.1);
    add(p + "ln_2.weight", [C], 0.2, 1);
    add(p + "ln_2.bias", [C], 0.2);
    add(p + "mlp.c_fc.weight", [C, 4 * C]);
    add(p + "mlp.c_fc.bias", [4 * C], 0.1);
    add(p + "mlp.c_proj.weight", [4 * C, C]);
    add(p + "mlp.c_proj.bias", [C], 0.1);
  }
  add("ln_f.weight", [C], 0.2, 1);
  add("ln_f.bias", [C], 0.2);
  if (!g.tied) add("lm_head.weight", [g.vocab, C]);
  return g;
}

/**
 * Writes `g` as a Hugging Face GPT-2 directory. `prefix` adds `transformer.` (as save_pretrained does);
 * `buffers` adds the causal-mask buffers older HF versions save; `extra` lets a test corrupt things.
 */
export async function writeGpt2Dir(
  dir: string,
  g: TinyGpt2,
  opts: { prefix?: boolean; buffers?: boolean; config?: Record<string, unknown>; tensors?: Record<string, SafeTensor>; drop?: string[] } = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, t] of Object.entries(g.w)) {
    if (opts.drop?.includes(name)) continue;
    const key = name === "lm_head.weight" || !opts.prefix ? name : `transformer.${name}`;
    tensors[key] = { dtype: "F32", shape: t.shape, data: Float32Array.from(t.data) };
  }
  if (opts.buffers) {
    for (let l = 0; l < g.nLayer; l++) {
      const n = g.nPositions;
      const mask = new Float32Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) mask[i * n + j] = 1;
      tensors[`${opts.prefix ? "transformer." : ""}h.${l}.attn.bias`] = { dtype: "F32", shape: [1, 1, n, n], data: mask };
      tensors[`${opts.prefix ? "transformer." : ""}h.${l}.attn.masked_bias`] = { dtype: "F32", shape: [], data: Float32Array.of(-1e4) };
    }
  }
  Object.assign(tensors, opts.tensors ?? {});
  const config = {
    model_type: "gpt2",
    n_layer: g.nLayer,
    n_head: g.nHead,
    n_embd: g.nEmbd,
    n_positions: g.nPositions,
    vocab_size: g.vocab,
    layer_norm_epsilon: 1e-5,
    activation_function: g.activation,
    tie_word_embeddings: g.tied,
    ...opts.config,
  };
  await writeFile(path.join(dir, "config.json"), JSON.stringify(config));
  await writeFile(path.join(dir, "model.safetensors"), encodeSafetensors(tensors, { format: "pt" }));
}

// ---- GPT-2's forward pass in float64 ----------------------------------------------------------------

type Mat = Float64Array[]; // rows

function layerNorm(x: Mat, w: Float64Array, b: Float64Array, eps = 1e-5): Mat {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * w[i] + b[i]);
  });
}

/** Conv1D: x (T, in) @ W (in, out) + b. */
function conv1d(x: Mat, w: { shape: number[]; data: Float64Array }, b?: Float64Array): Mat {
  const [nIn, nOut] = w.shape;
  return x.map((row) => {
    const out = new Float64Array(nOut);
    for (let o = 0; o < nOut; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < nIn; i++) s += row[i] * w.data[i * nOut + o];
      out[o] = s;
    }
    return out;
  });
}

function gelu(x: number, kind: TinyGpt2["activation"]): number {
  if (kind === "gelu_new") return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** erf by its Taylor series (|x| small) or continued fraction; accurate to ~1e-14 in the range tests use. */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let sum = ax;
  let term = ax;
  for (let n = 1; n < 200; n++) {
    term *= (-ax * ax) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
}

/** GPT-2 logits (T, V) for one sequence, in float64, from HF-layout weights. */
export function referenceLogits(g: TinyGpt2, ids: readonly number[]): Float64Array[] {
  const W = g.w;
  const C = g.nEmbd;
  const hs = C / g.nHead;
  const T = ids.length;
  let x: Mat = ids.map((id, t) => Float64Array.from({ length: C }, (_, c) => W["wte.weight"].data[id * C + c] + W["wpe.weight"].data[t * C + c]));
  for (let l = 0; l < g.nLayer; l++) {
    const p = `h.${l}.`;
    const qkv = conv1d(layerNorm(x, W[p + "ln_1.weight"].data, W[p + "ln_1.bias"].data), W[p + "attn.c_attn.weight"], W[p + "attn.c_attn.bias"].data);
    const merged: Mat = Array.from({ length: T }, () => new Float64Array(C));
    for (let h = 0; h < g.nHead; h++) {
      for (let i = 0; i < T; i++) {
        const scores: number[] = [];
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let d = 0; d < hs; d++) s += qkv[i][h * hs + d] * qkv[j][C + h * hs + d];
          scores.push(s / Math.sqrt(hs));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= i; j++) for (let d = 0; d < hs; d++) merged[i][h * hs + d] += (e[j] / z) * qkv[j][2 * C + h * hs + d];
      }
    }
    const attn = conv1d(merged, W[p + "attn.c_proj.weight"], W[p + "attn.c_proj.bias"].data);
    x = x.map((row, t) => row.map((v, c) => v + attn[t][c]));
    const hidden = conv1d(layerNorm(x, W[p + "ln_2.weight"].data, W[p + "ln_2.bias"].data), W[p + "mlp.c_fc.weight"], W[p + "mlp.c_fc.bias"].data).map((row) => row.map((v) => gelu(v, g.activation)));
    const mlp = conv1d(hidden, W[p + "mlp.c_proj.weight"], W[p + "mlp.c_proj.bias"].data);
    x = x.map((row, t) => row.map((v, c) => v + mlp[t][c]));
  }
  const final = layerNorm(x, W["ln_f.weight"].data, W["ln_f.bias"].data);
  const U = g.tied ? W["wte.weight"] : W["lm_head.weight"]; // (V, C), an nn.Linear: logits = x Uᵀ
  return final.map((row) => Float64Array.from({ length: g.vocab }, (_, v) => row.reduce((s, xc, c) => s + xc * U.data[v * C + c], 0)));
}

/** Block 0's queries, keys and values in float64: rows (T, 3C) = ln_1(W_E[id] + W_P[t]) · c_attn + bias, q | k | v. */
export function referenceQkv0(g: TinyGpt2, ids: readonly number[]): Float64Array[] {
  const W = g.w;
  const C = g.nEmbd;
  const x: Mat = ids.map((id, t) => Float64Array.from({ length: C }, (_, c) => W["wte.weight"].data[id * C + c] + W["wpe.weight"].data[t * C + c]));
  return conv1d(layerNorm(x, W["h.0.ln_1.weight"].data, W["h.0.ln_1.bias"].data), W["h.0.attn.c_attn.weight"], W["h.0.attn.c_attn.bias"].data);
}
