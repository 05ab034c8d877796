// Helpers the `nnlab gpt …` commands share: --model (a directory or a Hugging Face id, resolved by
// hub-model.ts) loaded as a GPT, and the tokenizer that goes with it.

import path from "node:path";
import { NnlabError } from "../../core/errors.js";
import { resolveTokenizer } from "../../data/text/tokenizer-file.js";
import type { Tokenizer } from "../../data/text/tokenizer.js";
import { checkTokenizerFits, tokenizerForGpt } from "../../train/gpt-bytes.js";
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

/**
 * The tokenizer a model was trained with: `--tokenizer` when given, else the one config.json names or
 * implies (train/gpt-bytes.ts: nnlab's spec, or GPT-2's for a GPT-2 vocabulary). Its ids must fit the
 * model's vocabulary.
 */
export async function tokenizerForModel(loaded: LoadedGpt, flag: string | undefined): Promise<Tokenizer> {
  const configFile = path.join(loaded.dir, GPT_FILES.config);
  if (flag === undefined) return tokenizerForGpt(loaded.config, loaded.nnlab, configFile);
  const tokenizer = await resolveTokenizer(flag, async () => {
    throw NnlabError.problem({ subject: "--tokenizer char", expected: "a text to take the characters from", found: "none with a model", fix: "Leave --tokenizer out: the model's config.json names its tokenizer." });
  });
  checkTokenizerFits(tokenizer, loaded.config);
  return tokenizer;
}
