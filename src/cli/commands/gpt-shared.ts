// Helpers the `nnlab gpt …` commands share: --model (a directory or a Hugging Face id, resolved by
// hub-model.ts) loaded as a GPT, and the tokenizer that goes with it.

import path from "node:path";
import { NnlabError } from "../../core/errors.js";
import { resolveTokenizer } from "../../data/text/tokenizer-file.js";
import { tokenizerFromSpec, type Tokenizer } from "../../data/text/tokenizer.js";
import { GPT_FILES, loadGptDir, type LoadedGpt } from "../../train/gpt-checkpoint.js";
import type { CommandContext } from "../command.js";
import { gptModelOption as hubModelOption, resolveModelFlag } from "./hub-model.js";
import { required } from "./shared.js";

/** `--model DIR|NAME` of the commands that need a GPT (required; gpt info has its own, optional one). */
export const gptModelOption = { ...hubModelOption, required: true } as const;

/** Loads the GPT that --model names: a directory, or a Hugging Face id from the cache or the hub. */
export async function loadGptModelFlag(value: string | undefined, ctx: CommandContext, flag = "--model"): Promise<LoadedGpt> {
  const given = required(flag.replace(/^--/, ""), value, "a GPT model directory or a Hugging Face id such as gpt2");
  return loadGptDir(await resolveModelFlag(given, ctx), flag);
}

/** GPT-2's vocabulary: 50,000 merges, 256 bytes and <|endoftext|>. */
const GPT2_VOCAB = 50257;

/**
 * The tokenizer a model was trained with: `--tokenizer` when given, else the spec in config.json's
 * "nnlab" section (nnlab's runs), else GPT-2's for a model with GPT-2's vocabulary (Hugging Face
 * checkpoints, nanoGPT's padded 50,304). Its ids must fit the model's vocabulary.
 */
export async function tokenizerForModel(loaded: LoadedGpt, flag: string | undefined): Promise<Tokenizer> {
  const configFile = path.join(loaded.dir, GPT_FILES.config);
  let tokenizer: Tokenizer;
  if (flag !== undefined) {
    tokenizer = await resolveTokenizer(flag, async () => {
      throw NnlabError.problem({ subject: "--tokenizer char", expected: "a text to take the characters from", found: "none with a model", fix: "Leave --tokenizer out: the model's config.json names its tokenizer." });
    });
  } else if (loaded.nnlab.tokenizer !== undefined) {
    tokenizer = tokenizerFromSpec(loaded.nnlab.tokenizer, `${configFile}: nnlab.tokenizer`);
  } else if (loaded.config.vocabSize >= GPT2_VOCAB && loaded.config.vocabSize <= GPT2_VOCAB + 128) {
    tokenizer = tokenizerFromSpec({ kind: "gpt2" });
  } else {
    throw NnlabError.problem({
      subject: configFile,
      expected: `a tokenizer ("nnlab": {"tokenizer": …}) or GPT-2's vocabulary of ${GPT2_VOCAB} tokens`,
      found: `vocab_size ${loaded.config.vocabSize} and no tokenizer`,
      fix: "Pass --tokenizer gpt2|DIR.",
    });
  }
  if (tokenizer.vocabSize > loaded.config.vocabSize) {
    throw NnlabError.problem({ subject: "tokenizer", expected: `at most the model's ${loaded.config.vocabSize} tokens`, found: `${tokenizer.kind} with ${tokenizer.vocabSize}`, fix: "Use the tokenizer the model was trained with." });
  }
  return tokenizer;
}
