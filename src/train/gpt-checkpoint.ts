// GPT model directories in Hugging Face's layout: config.json (a GPT2Config, plus nnlab's section with
// the tokenizer and training config) and model.safetensors (GPT-2 names, Conv1D weights [in, out]).
// `loadGptDir` reads ours and real GPT-2 checkpoints alike; `saveGptDir` writes files HF's
// GPT2LMHeadModel.from_pretrained loads.

import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { NnlabError } from "../core/errors.js";
import { recoverInterruptedSwap, writeFilesAtomic } from "../io/atomic.js";
import { expectObject, readJsonFile } from "../io/json.js";
import { encodeSafetensors } from "../io/safetensors.js";
import { gptConfigFromHf, hfConfigFromGpt, type NnlabConfigSection } from "../models/gpt/config.js";
import { fromHfState, toHfState } from "../models/gpt/hf.js";
import { GPT } from "../models/gpt/model.js";
import type { RngState } from "../core/rng.js";
import { validateGptTrainConfig, type GptTrainConfig } from "./gpt-config.js";
import type { GptEvalRecord, GptTrainer } from "./gpt-trainer.js";
import { checkModelBytes, GPT_FILES, gptFromHf, type GptFromHf } from "./gpt-bytes.js";
import { f32Entries, optimizerStateFrom, optimizerTensors, readFloatTensors } from "./tensor-files.js";

export { GPT_FILES } from "./gpt-bytes.js";

/** A model read from a directory. */
export interface LoadedGpt extends GptFromHf {
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
  await recoverInterruptedSwap(dir).catch(() => undefined); // a run killed while checkpointing
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
  const hfConfig = await readJsonFile(configFile, "a GPT-2 config");
  // the config's errors, and a config claiming more than the file holds, before reading the weights
  checkModelBytes(gptConfigFromHf(hfConfig, configFile), statSync(modelFile).size, modelFile);
  return { ...gptFromHf(hfConfig, await readFloatTensors(modelFile), { config: configFile, model: modelFile }), dir };
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

// ---- training runs ------------------------------------------------------------------------------

/** A training run directory adds the optimizer's moments and the loop's state to the model files. */
export const GPT_RUN_FILES = { ...GPT_FILES, optimizer: "optimizer.safetensors", state: "state.json" } as const;

/** state.json of a GPT run. */
export interface GptRunState {
  format: "nnlab-gpt-run";
  iter: number;
  history: GptEvalRecord[];
  optimizer: { step: number };
  rng: RngState;
}

/**
 * Writes the trainer's whole state into `dir`, all files at once (writeFilesAtomic): the model as a
 * Hugging Face GPT-2 directory whose config.json also holds the tokenizer and the training config,
 * optimizer.safetensors (AdamW moments by our parameter path, `h.0.attn.c_attn.weight.m`, in our [out, in]
 * layout) and state.json (step, evaluation history, RNG state).
 */
export async function saveGptCheckpoint(dir: string, trainer: GptTrainer, tokenizer: unknown): Promise<void> {
  const opt = trainer.optimizer.getState();
  const state: GptRunState = { format: "nnlab-gpt-run", iter: trainer.iter, history: trainer.history, optimizer: { step: opt.step }, rng: trainer.rng.getState() };
  await writeFilesAtomic(dir, {
    ...gptDirFiles(trainer.model, { tokenizer, train: trainer.config }),
    [GPT_RUN_FILES.optimizer]: () => encodeSafetensors(f32Entries(optimizerTensors(opt))),
    [GPT_RUN_FILES.state]: JSON.stringify(state, null, 2) + "\n",
  });
}

/** The training config and tokenizer saved in a run directory (for `--resume`). */
export async function loadGptRunConfig(dir: string, flag = "--resume"): Promise<{ config: GptTrainConfig; tokenizer: unknown }> {
  await recoverInterruptedSwap(dir).catch(() => undefined); // a run killed while checkpointing
  for (const f of Object.values(GPT_RUN_FILES)) {
    if (!existsSync(path.join(dir, f))) {
      throw NnlabError.problem({ subject: `${flag} ${dir}`, expected: `a GPT training run (${Object.values(GPT_RUN_FILES).join(", ")})`, found: existsSync(dir) ? `no ${f}` : "no such directory", fix: "Start a run with `nnlab gpt train --out DIR`." });
    }
  }
  const file = path.join(dir, GPT_RUN_FILES.config);
  const raw = expectObject(await readJsonFile(file, "a GPT run config"), file);
  const nnlab = expectObject(raw.nnlab, `${file}: nnlab`);
  const config = validateGptTrainConfig(expectObject(nnlab.train, `${file}: nnlab.train`) as unknown as GptTrainConfig, `${file}: nnlab.train`);
  return { config, tokenizer: nnlab.tokenizer };
}

function checkRunState(raw: unknown, file: string): GptRunState {
  const s = raw as Partial<GptRunState>;
  const ok =
    s && typeof s === "object" && s.format === "nnlab-gpt-run" && Number.isInteger(s.iter) && Array.isArray(s.history) && s.optimizer && Number.isInteger(s.optimizer.step) &&
    s.rng && Array.isArray(s.rng.s) && s.rng.s.length === 4;
  if (!ok) throw NnlabError.problem({ subject: file, expected: '"format": "nnlab-gpt-run" with iter, history, optimizer.step and rng', found: JSON.stringify(raw).slice(0, 120) });
  return s as GptRunState;
}

/** Restores model, optimizer, RNG, step and history from a run directory into a fresh trainer of the same config. */
export async function restoreGptCheckpoint(dir: string, trainer: GptTrainer): Promise<void> {
  const stateFile = path.join(dir, GPT_RUN_FILES.state);
  const modelFile = path.join(dir, GPT_RUN_FILES.model);
  const optFile = path.join(dir, GPT_RUN_FILES.optimizer);
  const state = checkRunState(await readJsonFile(stateFile, "a GPT run state"), stateFile);
  const expected = trainer.model.namedParameters().map(([n, p]) => [n, p.shape] as [string, readonly number[]]);
  trainer.model.loadStateDict(fromHfState(await readFloatTensors(modelFile), trainer.config.model, expected, modelFile), modelFile);
  trainer.optimizer.setState(optimizerStateFrom(state.optimizer.step, await readFloatTensors(optFile)), optFile);
  trainer.rng.setState(state.rng);
  trainer.iter = state.iter;
  trainer.history.splice(0, trainer.history.length, ...state.history);
}
