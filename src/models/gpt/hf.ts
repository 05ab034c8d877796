// Hugging Face GPT-2 weights <-> our GPT's parameters: names (`transformer.` prefix or none), GPT-2's
// Conv1D layout [in, out] for the four projection matrices (ours are [out, in]), the causal-mask buffers
// HF stores (`attn.bias`, `attn.masked_bias`), and lm_head tied or present. Pure data: the files are
// read and written in train/gpt-checkpoint.ts.

import { NnlabError } from "../../core/errors.js";
import type { TypedArray } from "../../core/dtype.js";
import { formatShape, shapesEqual } from "../../core/shape.js";
import type { GptConfig } from "./config.js";
import type { GPT } from "./model.js";

/** Tensors by name, as module state dicts and safetensors readers hold them. */
export type NamedTensors = Record<string, { shape: readonly number[]; data: TypedArray }>;

/** GPT-2's Conv1D weights: stored [in, out] in HF files, [out, in] in our Linear layers. */
const CONV1D = /^h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;
/** HF's causal-mask buffers, which are not parameters. */
const MASK_BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;
/** Biases (of Linear layers and LayerNorms) that a model without biases saves as zeros for HF. */
const BIAS = /^(h\.\d+\.(ln_1|ln_2|attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)|ln_f)\.bias$/;

/** The transpose of a row-major (rows, cols) matrix. */
function transpose2d(data: TypedArray, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/**
 * The model's weights as a Hugging Face GPT2LMHeadModel state dict, ready for safetensors: names
 * `transformer.wte.weight`, `transformer.h.0.attn.c_attn.weight` [in, out], …, and `lm_head.weight` only
 * when untied (what `save_pretrained` writes). A model without biases gets zero biases, which compute the
 * same function, so HF (whose GPT-2 always has biases) loads it too.
 */
export function toHfState(model: GPT): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, p] of model.namedParameters()) {
    const data = Float32Array.from(p.toArray());
    if (CONV1D.test(name)) out[`transformer.${name}`] = { shape: [p.shape[1], p.shape[0]], data: transpose2d(data, p.shape[0], p.shape[1]) };
    else out[name === "lm_head.weight" ? name : `transformer.${name}`] = { shape: [...p.shape], data };
  }
  if (!model.config.bias) {
    for (const [name, p] of model.namedParameters()) {
      const bias = name.replace(/\.weight$/, ".bias");
      if (name !== "lm_head.weight" && BIAS.test(bias)) out[`transformer.${bias}`] = { shape: [p.shape[0]], data: new Float32Array(p.shape[0]) };
    }
  }
  return out;
}

/**
 * Our parameters from a Hugging Face GPT-2 state dict (with or without the `transformer.` prefix): Conv1D
 * weights transposed to [out, in], mask buffers dropped, `lm_head.weight` dropped when tied. Every
 * parameter of `config`'s model must be present with the shape the config implies; anything else is an
 * error naming `file`.
 */
export function fromHfState(state: NamedTensors, config: GptConfig, expected: [string, readonly number[]][], file: string): NamedTensors {
  const out: NamedTensors = {};
  const unexpected: string[] = [];
  for (const [raw, t] of Object.entries(state)) {
    const name = raw.startsWith("transformer.") ? raw.slice("transformer.".length) : raw;
    if (MASK_BUFFER.test(name)) continue;
    if (name === "lm_head.weight" && config.tied) {
      const want = [config.vocabSize, config.nEmbd];
      if (!shapesEqual(t.shape, want)) throw NnlabError.problem({ subject: `${file}: ${raw}`, expected: `shape ${formatShape(want)} (vocab_size, n_embd)`, found: formatShape(t.shape) });
      continue; // tied: W_U is W_E (nanoGPT saves both)
    }
    if (!config.bias && BIAS.test(name)) {
      // a model without biases: the file's biases must be the zeros we save for HF's sake
      if (t.data.some((x) => x !== 0)) throw NnlabError.problem({ subject: `${file}: ${raw}`, expected: 'zeros (config.json says "nnlab": {"bias": false})', found: "non-zero values", fix: 'Set "bias": true under "nnlab" in config.json.' });
      continue;
    }
    if (Object.hasOwn(out, name)) throw NnlabError.problem({ subject: `${file}: ${raw}`, expected: "each tensor once", found: `both ${name} and transformer.${name}` });
    if (CONV1D.test(name) && t.shape.length === 2) out[name] = { shape: [t.shape[1], t.shape[0]], data: transpose2d(t.data, t.shape[0], t.shape[1]) };
    else if (expected.some(([n]) => n === name)) out[name] = t;
    else unexpected.push(raw);
  }
  if (unexpected.length) {
    throw NnlabError.problem({ subject: file, expected: "only GPT-2 parameters", found: `unexpected tensors ${unexpected.slice(0, 5).join(", ")}${unexpected.length > 5 ? ", …" : ""}`, fix: "Is this a GPT-2 checkpoint? Other architectures are not supported." });
  }
  const missing = expected.filter(([n]) => !Object.hasOwn(out, n)).map(([n]) => n);
  if (missing.length) {
    throw NnlabError.problem({
      subject: file,
      expected: `every parameter config.json implies (${config.nLayer} blocks${config.tied ? "" : ", untied lm_head"}${config.bias ? "" : ", no biases"})`,
      found: `no ${missing.slice(0, 4).join(", ")}${missing.length > 4 ? `, … (${missing.length} missing)` : ""}`,
      fix: "Check n_layer and tie_word_embeddings in config.json against the checkpoint.",
    });
  }
  for (const [name, shape] of expected) {
    const found = out[name].shape;
    if (!shapesEqual(found, shape)) {
      const fileShape = CONV1D.test(name) ? [shape[1], shape[0]] : shape;
      const foundFile = CONV1D.test(name) ? [found[1], found[0]] : found;
      throw NnlabError.problem({
        subject: `${file}: ${name}`,
        expected: `shape ${formatShape(fileShape)} from config.json (n_embd ${config.nEmbd}, vocab_size ${config.vocabSize}, n_positions ${config.blockSize})`,
        found: formatShape(foundFile),
        fix: "config.json and the weights disagree; use the config.json that came with the weights.",
      });
    }
  }
  return out;
}
