// GPT model directories in Hugging Face's layout: config.json (a GPT2Config, plus nnlab's section with
// the tokenizer and training config) and model.safetensors (GPT-2 names, Conv1D weights [in, out]).
// `loadGptDir` reads ours and real GPT-2 checkpoints alike; `saveGptDir` writes files HF's
// GPT2LMHeadModel.from_pretrained loads.

import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { NnlabError } from "../core/errors.js";
import { writeFilesAtomic } from "../io/atomic.js";
import { readJsonFile } from "../io/json.js";
import { encodeSafetensors } from "../io/safetensors.js";
import { gptConfigFromHf, hfConfigFromGpt, type GptConfig, type NnlabConfigSection } from "../models/gpt/config.js";
import { fromHfState, toHfState } from "../models/gpt/hf.js";
import { GPT } from "../models/gpt/model.js";
import { f32Entries, readFloatTensors } from "./tensor-files.js";

/** File names of a GPT model directory (HF's names). */
export const GPT_FILES = { config: "config.json", model: "model.safetensors" } as const;

/** A model read from a directory. */
export interface LoadedGpt {
  model: GPT;
  config: GptConfig;
  /** nnlab's section of config.json (tokenizer, training config); empty for a plain HF checkpoint. */
  nnlab: NnlabConfigSection;
  /** config.json as parsed. */
  hfConfig: Record<string, unknown>;
  dir: string;
}

function notAModelDir(dir: string, flag: string, found: string): NnlabError {
  return NnlabError.problem({
    subject: `${flag} ${dir}`,
    expected: `a model directory with ${GPT_FILES.config} and ${GPT_FILES.model}`,
    found,
    fix: "Train one with `nnlab gpt train --out DIR`, or pass a Hugging Face GPT-2 directory.",
  });
}

/**
 * Loads a GPT from a directory with config.json and model.safetensors: nnlab's own runs, Hugging Face
 * GPT-2 checkpoints (with or without the `transformer.` prefix, lm_head tied or present) and converted
 * nanoGPT checkpoints. Every field and every shape is checked; problems are NnlabErrors naming the file.
 * @param flag the CLI flag that named `dir`, for error messages.
 */
export async function loadGptDir(dir: string, flag = "--model"): Promise<LoadedGpt> {
  if (!existsSync(dir)) throw notAModelDir(dir, flag, "no such directory");
  if (!statSync(dir).isDirectory()) throw notAModelDir(dir, flag, "a file");
  const configFile = path.join(dir, GPT_FILES.config);
  const modelFile = path.join(dir, GPT_FILES.model);
  if (!existsSync(configFile)) throw notAModelDir(dir, flag, `no ${GPT_FILES.config}`);
  if (!existsSync(modelFile)) {
    const torchFile = ["pytorch_model.bin", "ckpt.pt"].find((f) => existsSync(path.join(dir, f)));
    if (torchFile) {
      throw NnlabError.problem({
        subject: `${flag} ${dir}`,
        expected: GPT_FILES.model,
        found: `only ${torchFile} (PyTorch's pickle format, which nnlab does not read)`,
        fix: "Convert it: /usr/bin/python3 scripts/nanogpt-to-safetensors.py (see README, GPT section).",
      });
    }
    throw notAModelDir(dir, flag, `no ${GPT_FILES.model}`);
  }
  const hfConfig = (await readJsonFile(configFile, "a GPT-2 config")) as Record<string, unknown>;
  const config = gptConfigFromHf(hfConfig, configFile);
  const model = new GPT(config, null);
  const expected = model.namedParameters().map(([n, p]) => [n, p.shape] as [string, readonly number[]]);
  model.loadStateDict(fromHfState(await readFloatTensors(modelFile), config, expected, modelFile), modelFile);
  model.eval();
  return { model, config, nnlab: (hfConfig.nnlab ?? {}) as NnlabConfigSection, hfConfig, dir };
}

/** config.json and model.safetensors of `model`, as file contents for writeFilesAtomic. */
export function gptDirFiles(model: GPT, nnlab: NnlabConfigSection = {}): Record<string, Uint8Array | string> {
  return {
    [GPT_FILES.config]: JSON.stringify(hfConfigFromGpt(model.config, nnlab), null, 2) + "\n",
    // transformers checks format "pt"
    [GPT_FILES.model]: encodeSafetensors(f32Entries(toHfState(model)), { format: "pt" }),
  };
}

/** Writes `model` as a Hugging Face GPT-2 directory (config.json + model.safetensors), atomically. */
export async function saveGptDir(dir: string, model: GPT, nnlab: NnlabConfigSection = {}): Promise<void> {
  await writeFilesAtomic(dir, gptDirFiles(model, nnlab));
}
