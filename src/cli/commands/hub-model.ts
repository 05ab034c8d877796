// `--model` for GPT commands: a directory, or a Hugging Face id (gpt2, owner/name) found in the local
// HF cache or downloaded into it with a progress bar per file (src/io/hub.ts does the work).

import { resolveModelDir, type HubOptions } from "../../io/hub.js";
import type { CommandContext } from "../command.js";
import type { ProgressBar } from "../progress.js";

/** `--model DIR|NAME` as the GPT commands describe it. */
export const gptModelOption = {
  name: "model",
  type: "string",
  valueName: "DIR|NAME",
  description: "Model directory, or a Hugging Face id (gpt2, gpt2-medium, owner/name) from the local HF cache, else downloaded into it (HF_ENDPOINT, HF_HUB_OFFLINE, HF_TOKEN apply)",
} as const;

/**
 * The model directory `value` names (see {@link resolveModelDir}); a download shows one progress bar per
 * file, in MB, on stderr.
 */
export async function resolveModelFlag(value: string, ctx: CommandContext, options: HubOptions = {}): Promise<string> {
  let bar: ProgressBar | undefined;
  let current = "";
  const dir = await resolveModelDir(value, {
    ...options,
    onProgress: (file, done, total) => {
      if (file !== current) {
        bar?.stop();
        current = file;
        bar = ctx.progress({ label: `${file} (MB)`, total: Math.max(1, Math.ceil(total / 1e6)) });
      }
      bar?.update(Math.floor(done / 1e6));
      if (done === total) {
        bar?.stop();
        bar = undefined;
      }
    },
  });
  bar?.stop();
  return dir;
}
