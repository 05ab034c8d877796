// `nnlab gpt logits`: a GPT's logits at every position for given token ids, for comparing nnlab with
// PyTorch / Hugging Face on the same checkpoint.

import { NnlabError } from "../../core/errors.js";
import { noGrad, tidy } from "../../core/engine.js";
import * as ops from "../../core/ops.js";
import { intListFlag } from "../args.js";
import { defineCommand } from "../command.js";
import { gptModelOption, loadGptModelFlag } from "./gpt-shared.js";
import { backendOption, required, startBackend } from "./shared.js";

export const gptLogitsCommand = defineCommand({
  name: "gpt logits",
  summary: "A GPT's next-token logits at every position of a token sequence",
  spec: {
    description: "Runs the model on the token ids and prints the logits (T positions × vocabulary). With --json: {\"shape\": [T, V], \"logits\": [...]} (row-major).",
    options: [
      gptModelOption,
      { name: "tokens", type: "string", valueName: "ID,ID", required: true, description: "Token ids, e.g. 15496,995 (\"Hello world\" in GPT-2's tokenizer)" },
      backendOption,
    ],
  },
  examples: ["gpt logits --model runs/gpt-tiny --tokens 1,2,3 --json"],
  async run(args, ctx) {
    const tokens = intListFlag("tokens", required("tokens", args.options.tokens, "comma-separated token ids"), { min: 0 });
    await startBackend(args.options.backend);
    const { model, config } = await loadGptModelFlag(args.options.model, ctx);
    const bad = tokens.find((t) => t >= config.vocabSize);
    if (bad !== undefined) throw NnlabError.problem({ subject: "--tokens", expected: `ids from 0 to ${config.vocabSize - 1} (the model's vocabulary)`, found: String(bad) });
    if (tokens.length > config.blockSize) {
      throw NnlabError.problem({ subject: "--tokens", expected: `at most ${config.blockSize} ids (the model's context)`, found: `${tokens.length}`, fix: "Pass fewer tokens." });
    }
    const T = tokens.length;
    const V = config.vocabSize;
    const logits = tidy(() => noGrad(() => model.forward(ops.tensor(Int32Array.from(tokens), [1, T], "int32")).toArray() as Float32Array)); // (1, T, V)
    if (ctx.json) {
      ctx.result({ shape: [T, V], logits: Array.from(logits) });
      return;
    }
    ctx.print(`logits: ${T} positions × ${V} tokens (the top 5 next-token candidates per position)`);
    for (let t = 0; t < T; t++) {
      const row = logits.subarray(t * V, (t + 1) * V);
      const top = Array.from(row.keys()).sort((a, b) => row[b] - row[a]).slice(0, 5);
      ctx.print(`  ${String(t).padStart(4)}  id ${String(tokens[t]).padStart(6)}  →  ${top.map((i) => `${i} (${row[i].toFixed(3)})`).join("  ")}`);
    }
  },
});
