// nanoGPT's GPT (Karpathy's model.py), in the engine's ops: token and position embeddings, pre-LayerNorm
// blocks of causal multi-head self-attention and a 4× MLP, a final LayerNorm and the unembedding
// (lessons 5–6). Parameter paths are Hugging Face GPT-2's (`wte.weight`, `h.0.attn.c_attn.weight`, …).
//
// Layout: Linear weights are stored [out, in] (PyTorch's nn.Linear, the engine's `linear`), so
// `h.N.attn.c_attn.weight` here is the transpose of GPT-2's Conv1D weight [in, out]. The files we save
// and load use GPT-2's layout; hf.ts transposes on the way in and out.

import { NnlabError, ShapeError } from "../../core/errors.js";
import * as ops from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import { formatShape } from "../../core/shape.js";
import type { Tensor } from "../../core/tensor.js";
import * as F from "../../nn/functional.js";
import { Module } from "../../nn/module.js";
import { headSize, validateGptConfig, type GptConfig } from "./config.js";
import type { KVCache } from "./kv-cache.js";

/** What {@link GptCapture} can record, each on the model's own forward pass. */
export const GPT_CAPTURE_KEYS = ["embeddings", "residual", "attention", "q", "k", "v", "attnOut", "mlpHidden", "mlpOut"] as const;
export type GptCaptureKey = (typeof GPT_CAPTURE_KEYS)[number];

/**
 * Introspection of one forward pass (DESIGN: captured on the same code path, never a second copy of the
 * math). Only the keys asked for are kept. Arrays are indexed by block l. The tensors belong to the memory
 * scope the forward ran in: read them (`toArray()`) before that scope ends.
 * With a KV cache, T is the number of new positions and Tk the cached plus new ones.
 */
export class GptCapture {
  readonly keys: ReadonlySet<GptCaptureKey>;
  /** Token plus position embedding, the residual stream entering block 0: (B, T, C). */
  embeddings: Tensor | null = null;
  /** The residual stream after block l: (B, T, C). */
  residual: Tensor[] = [];
  /** Attention pattern softmax(q kᵀ / √hs) after the mask: (B, nh, T, Tk). */
  attention: Tensor[] = [];
  /** Queries: (B, nh, T, hs). */
  q: Tensor[] = [];
  /** Keys, cached ones included: (B, nh, Tk, hs). */
  k: Tensor[] = [];
  /** Values, cached ones included: (B, nh, Tk, hs). */
  v: Tensor[] = [];
  /** What attention adds to the residual stream (after c_proj): (B, T, C). */
  attnOut: Tensor[] = [];
  /** MLP neurons after GELU: (B, T, 4C). */
  mlpHidden: Tensor[] = [];
  /** What the MLP adds to the residual stream: (B, T, C). */
  mlpOut: Tensor[] = [];

  /** Records `keys` (default: everything). */
  constructor(keys: readonly GptCaptureKey[] = GPT_CAPTURE_KEYS) {
    for (const k of keys) if (!GPT_CAPTURE_KEYS.includes(k)) throw NnlabError.problem({ subject: "GptCapture", expected: GPT_CAPTURE_KEYS.join(" | "), found: JSON.stringify(k) });
    this.keys = new Set(keys);
  }

  has(key: GptCaptureKey): boolean {
    return this.keys.has(key);
  }
}

/** Values on the forward path that {@link GptForwardOptions.patch} may replace. */
export type GptPatchSite = "embeddings" | "attnOut" | "mlpOut" | "residual";

/** Options of {@link GPT.forward}. */
export interface GptForwardOptions {
  /** Record intermediate values (see {@link GptCapture}). */
  capture?: GptCapture;
  /** Causal mask (default true); false lets every token see the future too (lesson 6's "what if"). */
  causal?: boolean;
  /** Scale scores by 1/√d_k (default true). */
  scale?: boolean;
  /** Process only new positions after those in the cache, and add theirs to it (inference, under noGrad). */
  cache?: KVCache;
  /** Random numbers for dropout; dropout runs only in training mode, with dropout > 0 and an rng. */
  rng?: Rng;
  /**
   * Intervention on the same forward path (causal tracing, activation patching, ROME's edits): called
   * with each site's value, (B, T, C), and its block (−1 for the embeddings); what it returns is used
   * in its place, and captured.
   */
  patch?: (site: GptPatchSite, layer: number, value: Tensor) => Tensor;
}

/** N(0, std²) values drawn from `rng`, or zeros without one (a model whose weights are loaded next). */
function normalInit(shape: number[], rng: Rng | null, std: number): Tensor {
  return rng ? ops.randn(shape, rng, { std }) : ops.zeros(shape);
}

/** A Linear layer initialised as GPT-2: weight [out, in] ~ N(0, std²), bias zero (or none). */
class GptLinear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(inFeatures: number, outFeatures: number, opts: { rng: Rng | null; std: number; bias: boolean }) {
    super();
    this.weight = this.addParameter("weight", normalInit([outFeatures, inFeatures], opts.rng, opts.std));
    this.bias = opts.bias ? this.addParameter("bias", ops.zeros([outFeatures])) : null;
  }
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}

/** A table of learned vectors (W_E, the position embedding): rows picked by int32 ids. */
class GptEmbedding extends Module {
  readonly weight: Tensor;
  constructor(count: number, dim: number, rng: Rng | null) {
    super();
    this.weight = this.addParameter("weight", normalInit([count, dim], rng, 0.02));
  }
  forward(ids: Tensor): Tensor {
    return F.embedding(this.weight, ids);
  }
}

/** LayerNorm with an optional bias (nanoGPT's `LayerNorm(ndim, bias)`). */
class GptLayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(dim: number, bias: boolean, readonly eps: number) {
    super();
    this.weight = this.addParameter("weight", ops.ones([dim]));
    this.bias = bias ? this.addParameter("bias", ops.zeros([dim])) : null;
  }
  forward(x: Tensor): Tensor {
    // without a bias, the fused kernel runs with a zero bias that is no parameter
    return F.layerNorm(x, this.weight, this.bias ?? ops.zeros([this.weight.shape[0]]), this.eps);
  }
}

/** Per-call settings a block passes down: the forward options plus the block's index. */
interface BlockCall extends GptForwardOptions {
  layer: number;
  dropout: number;
}

/** Captures that need the heads split out of c_attn's output. */
const HEAD_CAPTURES: readonly GptCaptureKey[] = ["attention", "q", "k", "v"];

/** Multi-head causal self-attention: queries, keys and values from one c_attn, heads mixed by c_proj. */
export class CausalSelfAttention extends Module {
  readonly c_attn: GptLinear;
  readonly c_proj: GptLinear;
  constructor(readonly config: GptConfig, rng: Rng | null) {
    super();
    const { nEmbd: C, bias } = config;
    this.c_attn = this.addModule("c_attn", new GptLinear(C, 3 * C, { rng, std: 0.02, bias }));
    // GPT-2 scales the residual projections by 1/√(2·n_layer) at init
    this.c_proj = this.addModule("c_proj", new GptLinear(C, C, { rng, std: 0.02 / Math.sqrt(2 * config.nLayer), bias }));
  }

  forward(x: Tensor, call: BlockCall): Tensor {
    const cap = call.capture;
    const qkv = this.c_attn.forward(x); // (B, T, 3C)
    const drop = call.dropout > 0 && call.rng ? (t: Tensor) => F.dropout(t, call.dropout, call.rng!) : undefined;
    // training and evaluation: one kernel reads the heads in place (no split, no copies)
    const inPlace = !call.cache && !drop && call.causal !== false && call.scale !== false && !HEAD_CAPTURES.some((c) => cap?.has(c));
    const y = inPlace ? F.packedCausalAttention(qkv, this.config.nHead) : this.attend(qkv, call, drop); // (B, T, C)
    let out = this.c_proj.forward(y); // (B, T, C)
    if (drop) out = drop(out);
    if (call.patch) out = call.patch("attnOut", call.layer, out);
    if (cap?.has("attnOut")) cap.attnOut[call.layer] = out;
    return out;
  }

  /** The heads split out of qkv, for the KV cache, captures, dropout and the "what if" switches: (B, T, C). */
  private attend(qkv: Tensor, call: BlockCall, drop: ((t: Tensor) => Tensor) | undefined): Tensor {
    const { nHead, nEmbd: C } = this.config;
    const cap = call.capture;
    const [qs, ks, vs] = ops.split(qkv, [C, C, C], -1).map((t) => F.splitHeads(t, nHead)); // (B, nh, T, hs)
    const { k, v } = call.cache ? call.cache.append(call.layer, ks, vs) : { k: ks, v: vs }; // (B, nh, Tk, hs)
    const patternCapture: F.AttentionCapture | undefined = cap?.has("attention") ? {} : undefined;
    const y = F.scaledDotProductAttention(qs, k, v, { causal: call.causal, scale: call.scale, capture: patternCapture, dropPattern: drop }); // (B, nh, T, hs)
    if (cap) {
      if (patternCapture?.pattern) cap.attention[call.layer] = patternCapture.pattern;
      if (cap.has("q")) cap.q[call.layer] = qs;
      if (cap.has("k")) cap.k[call.layer] = k;
      if (cap.has("v")) cap.v[call.layer] = v;
    }
    return F.mergeHeads(y);
  }
}

/** The MLP: up-projection to 4C neurons, GELU, down-projection (lesson 7's "facts" live here). */
export class MLP extends Module {
  readonly c_fc: GptLinear;
  readonly c_proj: GptLinear;
  constructor(readonly config: GptConfig, rng: Rng | null) {
    super();
    const { nEmbd: C, bias } = config;
    this.c_fc = this.addModule("c_fc", new GptLinear(C, 4 * C, { rng, std: 0.02, bias }));
    this.c_proj = this.addModule("c_proj", new GptLinear(4 * C, C, { rng, std: 0.02 / Math.sqrt(2 * config.nLayer), bias }));
  }

  forward(x: Tensor, call: BlockCall): Tensor {
    const hidden = this.c_fc.forward(x).gelu(this.config.gelu); // (B, T, 4C)
    let out = this.c_proj.forward(hidden); // (B, T, C)
    if (call.dropout > 0 && call.rng) out = F.dropout(out, call.dropout, call.rng);
    if (call.patch) out = call.patch("mlpOut", call.layer, out);
    if (call.capture?.has("mlpHidden")) call.capture.mlpHidden[call.layer] = hidden;
    if (call.capture?.has("mlpOut")) call.capture.mlpOut[call.layer] = out;
    return out;
  }
}

/** One transformer block, pre-LayerNorm: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
export class Block extends Module {
  readonly ln_1: GptLayerNorm;
  readonly attn: CausalSelfAttention;
  readonly ln_2: GptLayerNorm;
  readonly mlp: MLP;
  constructor(config: GptConfig, rng: Rng | null) {
    super();
    this.ln_1 = this.addModule("ln_1", new GptLayerNorm(config.nEmbd, config.bias, config.layerNormEps));
    this.attn = this.addModule("attn", new CausalSelfAttention(config, rng));
    this.ln_2 = this.addModule("ln_2", new GptLayerNorm(config.nEmbd, config.bias, config.layerNormEps));
    this.mlp = this.addModule("mlp", new MLP(config, rng));
  }

  forward(x: Tensor, call: BlockCall): Tensor {
    const h = ops.add(x, this.attn.forward(this.ln_1.forward(x), call)); // (B, T, C)
    let out = ops.add(h, this.mlp.forward(this.ln_2.forward(h), call));
    if (call.patch) out = call.patch("residual", call.layer, out);
    if (call.capture?.has("residual")) call.capture.residual[call.layer] = out;
    return out;
  }
}

/**
 * The GPT. `forward(ids)` maps int32 token ids (B, T) to logits (B, T, vocabSize); the logits at position
 * t score the token that follows token t. Construct with a seeded Rng (GPT-2's init: N(0, 0.02²)), or
 * with null for zeros when weights are loaded next.
 */
export class GPT extends Module {
  /** W_E, the token embedding (V, C). */
  readonly wte: GptEmbedding;
  /** Position embedding (blockSize, C). */
  readonly wpe: GptEmbedding;
  readonly h: Block[];
  readonly ln_f: GptLayerNorm;
  /** W_U when untied (V, C); tied models unembed with W_E. */
  readonly lm_head: GptLinear | null;

  constructor(readonly config: GptConfig, rng: Rng | null) {
    super();
    validateGptConfig(config);
    const { vocabSize: V, blockSize, nEmbd: C, nLayer } = config;
    this.wte = this.addModule("wte", new GptEmbedding(V, C, rng));
    this.wpe = this.addModule("wpe", new GptEmbedding(blockSize, C, rng));
    this.h = Array.from({ length: nLayer }, (_, l) => this.addModule(`h.${l}`, new Block(config, rng)));
    this.ln_f = this.addModule("ln_f", new GptLayerNorm(C, config.bias, config.layerNormEps));
    this.lm_head = config.tied ? null : this.addModule("lm_head", new GptLinear(C, V, { rng, std: 0.02, bias: false }));
  }

  /** Head size d_k = C / nh. */
  get headSize(): number {
    return headSize(this.config);
  }

  /** W_U as a (V, C) matrix: W_E when tied. */
  get unembedding(): Tensor {
    return this.lm_head ? this.lm_head.weight : this.wte.weight;
  }

  /**
   * Logits (B, T, V) for int32 ids (B, T). With a cache, `ids` are the new tokens after the cached ones.
   * Every option is in {@link GptForwardOptions}; the defaults are the model as trained.
   */
  forward(ids: Tensor, opts: GptForwardOptions = {}): Tensor {
    if (ids.rank !== 2 || ids.dtype !== "int32") throw new ShapeError(`GPT.forward: expected int32 token ids (B, T), found ${formatShape(ids.shape)} ${ids.dtype}`);
    const T = ids.shape[1];
    const past = opts.cache?.length ?? 0;
    if (opts.cache) opts.cache.checkRoom(T);
    else if (T > this.config.blockSize) {
      throw new ShapeError(`GPT.forward: ${T} tokens exceed the context of ${this.config.blockSize}; keep the last ${this.config.blockSize}`);
    }
    const dropout = this.training ? this.config.dropout : 0;
    const pos = ops.tensor(Int32Array.from({ length: T }, (_, t) => past + t), [T], "int32"); // (T,) positions past, …, past + T − 1
    let x = ops.add(this.wte.forward(ids), this.wpe.forward(pos)); // (B, T, C) + (T, C)
    if (dropout > 0 && opts.rng) x = F.dropout(x, dropout, opts.rng);
    if (opts.patch) x = opts.patch("embeddings", -1, x);
    if (opts.capture?.has("embeddings")) opts.capture.embeddings = x;
    const call = { ...opts, dropout };
    this.h.forEach((block, layer) => {
      x = block.forward(x, { ...call, layer });
    });
    opts.cache?.advance(T);
    return this.unembed(x);
  }

  /** ln_f, then W_U: the residual stream (…, C) as logits (…, V). The logit lens applies it to any block's output. */
  unembed(x: Tensor): Tensor {
    return F.linear(this.ln_f.forward(x), this.unembedding); // (…, V)
  }
}
