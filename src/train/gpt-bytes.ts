// A GPT from the contents of a Hugging Face GPT-2 directory (config.json and model.safetensors), and the
// tokenizer that goes with it. Node-free: the web lab's worker loads a checkpoint picked from disk or
// fetched from the server with it; loadGptDir (gpt-checkpoint.ts) reads the files and calls the same code.

import { NnlabError } from "../core/errors.js";
import { tokenizerFromSpec, type Tokenizer } from "../data/text/tokenizer.js";
import { parseJsonBytes } from "../io/json-text.js";
import { decodeSafetensors, floatTensors } from "../io/safetensors.js";
import { gptConfigFromHf, type GptConfig, type NnlabConfigSection } from "../models/gpt/config.js";
import { fromHfState, type NamedTensors } from "../models/gpt/hf.js";
import { GPT } from "../models/gpt/model.js";
import { gptParameterTally } from "../models/gpt-parameter-count.js";

/** File names of a GPT model directory (HF's names). */
export const GPT_FILES = { config: "config.json", model: "model.safetensors" } as const;

/** GPT-2's vocabulary: 50,000 merges, 256 bytes and <|endoftext|>. */
export const GPT2_VOCAB = 50257;

/** A GPT built from a config and its weights. */
export interface GptFromHf {
  model: GPT;
  config: GptConfig;
  /** nnlab's section of config.json (tokenizer, training config); empty for a plain HF checkpoint. */
  nnlab: NnlabConfigSection;
  /** config.json as parsed. */
  hfConfig: Record<string, unknown>;
}

/**
 * A GPT in evaluation mode from a parsed config.json and the float tensors of model.safetensors (GPT-2
 * names, with or without `transformer.`). `files` names the two files in error messages.
 */
export function gptFromHf(hfConfig: unknown, tensors: NamedTensors, files: { config: string; model: string }): GptFromHf {
  const config = gptConfigFromHf(hfConfig, files.config);
  const raw = hfConfig as Record<string, unknown>;
  const model = new GPT(config, null);
  const expected = model.namedParameters().map(([n, p]) => [n, p.shape] as [string, readonly number[]]);
  model.loadStateDict(fromHfState(tensors, config, expected, files.model), files.model);
  model.eval();
  return { model, config, nnlab: (raw.nnlab ?? {}) as NnlabConfigSection, hfConfig: raw };
}

/**
 * A GPT from the bytes of config.json and model.safetensors (a file picked in the browser, a download).
 * Every field and shape is checked; errors name `files` (default: the two file names).
 */
export function gptFromHfBytes(configBytes: Uint8Array, modelBytes: Uint8Array, files: { config: string; model: string } = GPT_FILES): GptFromHf {
  const hfConfig = parseJsonBytes(configBytes, files.config, "a GPT-2 config");
  // the config's errors before the weights' (a wrong file picked as config.json), and a config that
  // claims more than the weights hold before the model is allocated
  checkModelBytes(gptConfigFromHf(hfConfig, files.config), modelBytes.length, files.model);
  return gptFromHf(hfConfig, floatTensors(decodeSafetensors(modelBytes, files.model), files.model), files);
}

/** Models smaller than this are allocated and then checked tensor by tensor (the clearer message). */
const CHECK_SIZE_ABOVE_BYTES = 64 * 2 ** 20;

/**
 * Refuses a config.json that describes a large model (over 64 MiB) that model.safetensors, `bytes` long,
 * cannot hold (4 bytes a parameter at least), before the model is allocated: a tiny file claiming GPT-2
 * XL's shape costs nothing. Smaller mismatches are named tensor by tensor after allocation (fromHfState).
 */
export function checkModelBytes(config: GptConfig, bytes: number, modelFile: string): void {
  const parameters = gptParameterTally(config).fullTotal;
  if (4 * parameters <= CHECK_SIZE_ABOVE_BYTES || bytes >= 4 * parameters) return;
  throw NnlabError.problem({
    subject: modelFile,
    expected: `at least ${(4 * parameters).toLocaleString("en-US")} bytes (${parameters.toLocaleString("en-US")} float32 parameters, as config.json describes)`,
    found: `${bytes.toLocaleString("en-US")} bytes`,
    fix: "config.json and model.safetensors come from different models, or the file is cut short; copy both from the same checkpoint.",
  });
}

/**
 * The tokenizer a model was trained with: the spec in config.json's "nnlab" section (nnlab's runs), else
 * GPT-2's for a model with GPT-2's vocabulary (Hugging Face checkpoints, nanoGPT's padded 50,304). Its
 * ids must fit the model's vocabulary. `configFile` names config.json in errors.
 */
export function tokenizerForGpt(config: GptConfig, nnlab: NnlabConfigSection, configFile: string): Tokenizer {
  let tokenizer: Tokenizer;
  if (nnlab.tokenizer !== undefined && nnlab.tokenizer !== null) {
    tokenizer = tokenizerFromSpec(nnlab.tokenizer, `${configFile}: nnlab.tokenizer`);
  } else if (config.vocabSize >= GPT2_VOCAB && config.vocabSize <= GPT2_VOCAB + 128) {
    tokenizer = tokenizerFromSpec({ kind: "gpt2" });
  } else {
    throw NnlabError.problem({
      subject: configFile,
      expected: `a tokenizer ("nnlab": {"tokenizer": …}) or GPT-2's vocabulary of ${GPT2_VOCAB} tokens`,
      found: `vocab_size ${config.vocabSize} and no tokenizer`,
      fix: "Use a model from `nnlab gpt train` or a GPT-2 checkpoint (or pass --tokenizer gpt2|DIR where a command takes it).",
    });
  }
  checkTokenizerFits(tokenizer, config);
  return tokenizer;
}

/** Checks that every id of `tokenizer` has a row in the model's embedding. */
export function checkTokenizerFits(tokenizer: Tokenizer, config: GptConfig): void {
  if (tokenizer.vocabSize > config.vocabSize) {
    throw NnlabError.problem({ subject: "tokenizer", expected: `at most the model's ${config.vocabSize} tokens`, found: `${tokenizer.kind} with ${tokenizer.vocabSize}`, fix: "Use the tokenizer the model was trained with." });
  }
}
