// The shape of a GPT (nanoGPT's GPTConfig) and its translation to and from Hugging Face's GPT2Config
// (config.json), with every field checked. Pure data: no files, no tensors.

import { NnlabError } from "../../core/errors.js";
import type { GptShape } from "../gpt-parameter-count.js";

/** GELU as GPT-2 computes it ("tanh", HF's `gelu_new`) or exactly with erf ("none", nanoGPT's nn.GELU()). */
export type GeluKind = "tanh" | "none";

/**
 * A GPT's hyper-parameters, named as in nanoGPT's model.py: the shape that fixes its parameter count
 * (nLayer, nHead, nEmbd, blockSize, vocabSize, bias, tied — see ../gpt-parameter-count.ts; nEmbd must
 * divide by nHead, head size hs = nEmbd / nHead) plus what changes only the computation.
 */
export interface GptConfig extends GptShape {
  /** Dropout probability on embeddings, attention pattern and residual branches while training. */
  dropout: number;
  gelu: GeluKind;
  /** LayerNorm's ε (GPT-2: 1e-5). */
  layerNormEps: number;
}

const LIMIT = 1_000_000;

function check(ok: boolean, subject: string, expected: string, found: unknown, fix?: string): void {
  if (!ok) throw NnlabError.problem({ subject, expected, found: JSON.stringify(found) ?? String(found), fix });
}

function whole(v: unknown, min: number, max = LIMIT): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * Checks every field of a GPT config; `source` names where it came from ("--n-embd" style flags when
 * empty, else e.g. "runs/x/config.json"). Returns the config.
 */
export function validateGptConfig(c: GptConfig, source = ""): GptConfig {
  const at = (field: string, flag: string) => (source ? `${source}: ${field}` : flag);
  check(whole(c.nLayer, 1, 1000), at("n_layer", "--n-layer"), "a whole number from 1 to 1000", c.nLayer);
  check(whole(c.nHead, 1, 1000), at("n_head", "--n-head"), "a whole number from 1 to 1000", c.nHead);
  check(whole(c.nEmbd, 1, 100_000), at("n_embd", "--n-embd"), "a whole number from 1 to 100000", c.nEmbd);
  check(c.nEmbd % c.nHead === 0, at("n_embd", "--n-embd"), `a width that divides into ${c.nHead} heads`, c.nEmbd, "Choose n_embd as a multiple of n_head.");
  check(whole(c.blockSize, 1, LIMIT), at("n_positions", "--block-size"), "a whole number from 1 to 1000000", c.blockSize);
  check(whole(c.vocabSize, 1, 10_000_000), at("vocab_size", "--vocab"), "a whole number from 1 to 10000000", c.vocabSize);
  check(typeof c.bias === "boolean", at("bias", "--bias"), "true or false", c.bias);
  check(typeof c.tied === "boolean", at("tie_word_embeddings", "--untied"), "true or false", c.tied);
  check(typeof c.dropout === "number" && c.dropout >= 0 && c.dropout < 1, at("dropout", "--dropout"), "a number in [0, 1)", c.dropout);
  check(c.gelu === "tanh" || c.gelu === "none", at("activation_function", "--gelu"), "tanh | none", c.gelu);
  check(typeof c.layerNormEps === "number" && c.layerNormEps > 0 && c.layerNormEps < 1, at("layer_norm_epsilon", "--eps"), "a number in (0, 1)", c.layerNormEps);
  return c;
}

/** Head size hs = C / nh (d_k of lesson 6). */
export function headSize(c: GptConfig): number {
  return c.nEmbd / c.nHead;
}

// ---- Hugging Face GPT2Config ----------------------------------------------------------------------

/** HF `activation_function` values and the GELU each one computes. */
const HF_GELU: Record<string, GeluKind> = { gelu_new: "tanh", gelu_pytorch_tanh: "tanh", gelu_fast: "tanh", gelu: "none" };

/** What nnlab adds to config.json under "nnlab" (HF ignores unknown keys). */
export interface NnlabConfigSection {
  /** false: the model has no biases; the saved biases are zeros so HF can still load the file. */
  bias?: boolean;
  dropout?: number;
  /** The tokenizer the model was trained with (a TokenizerSpec from src/data/text), if not GPT-2's. */
  tokenizer?: unknown;
  /** The training run's configuration, for `--resume`. */
  train?: unknown;
  [key: string]: unknown;
}

/**
 * Reads a GPT config from a parsed Hugging Face GPT2Config (config.json): n_layer, n_head, n_embd,
 * n_positions (or n_ctx), vocab_size, layer_norm_epsilon, activation_function, tie_word_embeddings, plus
 * nnlab's own "nnlab" section. Rejects settings this GPT does not implement rather than ignoring them.
 * @param source the file, for error messages.
 */
export function gptConfigFromHf(raw: unknown, source: string): GptConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw NnlabError.problem({ subject: source, expected: "a JSON object (a Hugging Face GPT2Config)", found: Array.isArray(raw) ? "an array" : JSON.stringify(raw) });
  }
  const o = raw as Record<string, unknown>;
  const field = (name: string) => `${source}: ${name}`;
  const need = (name: string, alt?: string): number => {
    const v = o[name] ?? (alt ? o[alt] : undefined);
    check(whole(v, 1, 10_000_000), field(alt && o[name] === undefined ? alt : name), "a whole number >= 1", v ?? null, v === undefined ? `Add "${name}" to config.json (a GPT-2 config has it).` : undefined);
    return v as number;
  };
  if (o.model_type !== undefined) check(o.model_type === "gpt2", field("model_type"), '"gpt2"', o.model_type, "nnlab loads GPT-2-architecture checkpoints only.");
  const act = o.activation_function ?? "gelu_new";
  check(typeof act === "string" && Object.hasOwn(HF_GELU, act), field("activation_function"), Object.keys(HF_GELU).join(" | "), act);
  const eps = o.layer_norm_epsilon ?? 1e-5;
  check(typeof eps === "number" && eps > 0 && eps < 1, field("layer_norm_epsilon"), "a number in (0, 1)", eps);
  const tied = o.tie_word_embeddings ?? true;
  check(typeof tied === "boolean", field("tie_word_embeddings"), "true or false", tied);
  const nEmbd = need("n_embd");
  if (o.n_inner !== undefined && o.n_inner !== null) check(o.n_inner === 4 * nEmbd, field("n_inner"), `null or ${4 * nEmbd} (4 × n_embd, the MLP this GPT has)`, o.n_inner);
  if (o.scale_attn_weights !== undefined) check(o.scale_attn_weights === true, field("scale_attn_weights"), "true (attention scaled by 1/√d_k)", o.scale_attn_weights);
  if (o.scale_attn_by_inverse_layer_idx !== undefined) check(o.scale_attn_by_inverse_layer_idx === false, field("scale_attn_by_inverse_layer_idx"), "false", o.scale_attn_by_inverse_layer_idx);
  const extra = (o.nnlab ?? {}) as NnlabConfigSection;
  check(typeof extra === "object" && extra !== null && !Array.isArray(extra), field("nnlab"), "an object", extra);
  const config: GptConfig = {
    nLayer: need("n_layer"),
    nHead: need("n_head"),
    nEmbd,
    blockSize: need("n_positions", "n_ctx"),
    vocabSize: need("vocab_size"),
    bias: extra.bias ?? true,
    dropout: extra.dropout ?? 0,
    tied: tied as boolean,
    gelu: HF_GELU[act as string],
    layerNormEps: eps as number,
  };
  return validateGptConfig(config, source);
}

/**
 * A Hugging Face GPT2Config (config.json) for `c`, loadable by `GPT2LMHeadModel.from_pretrained`, with
 * `nnlab` (bias, dropout, tokenizer, training config) added under "nnlab".
 */
export function hfConfigFromGpt(c: GptConfig, nnlab: NnlabConfigSection = {}): Record<string, unknown> {
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_embd: c.nEmbd,
    n_positions: c.blockSize,
    n_ctx: c.blockSize,
    vocab_size: c.vocabSize,
    n_inner: null,
    layer_norm_epsilon: c.layerNormEps,
    activation_function: c.gelu === "tanh" ? "gelu_new" : "gelu",
    tie_word_embeddings: c.tied,
    resid_pdrop: c.dropout,
    embd_pdrop: c.dropout,
    attn_pdrop: c.dropout,
    nnlab: { ...nnlab, bias: c.bias, dropout: c.dropout },
  };
}
