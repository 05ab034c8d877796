// Flags and helpers the `nnlab gpt …` commands share: --model (a GPT directory) and its resolution.

import { existsSync } from "node:fs";
import { loadGptDir, type LoadedGpt } from "../../train/gpt-checkpoint.js";
import { required } from "./shared.js";

export const gptModelOption = {
  name: "model",
  type: "string",
  valueName: "DIR",
  description: "GPT directory: config.json + model.safetensors (from `nnlab gpt train`, or a Hugging Face GPT-2 checkpoint)",
} as const;

/**
 * The directory a --model value names. A path that exists is used as it is; anything else is, for now,
 * passed on for loadGptDir to report as missing. This is the hook where names such as `gpt2` or
 * `owner/name` will be resolved through the Hugging Face cache or hub.
 */
export async function resolveGptModel(value: string, _flag = "--model"): Promise<string> {
  if (existsSync(value)) return value;
  return value;
}

/** Loads the GPT that --model names (see {@link resolveGptModel}). */
export async function loadGptModelFlag(value: string | undefined, flag = "--model"): Promise<LoadedGpt> {
  const given = required(flag.replace(/^--/, ""), value, "a GPT model directory");
  return loadGptDir(await resolveGptModel(given, flag), flag);
}
