// `nnlab gpt sample`: continues a prompt token by token (lesson 5: predict, sample, append, repeat),
// streaming the text as it comes; --show-probs prints each step's top candidates, the lesson's bar chart.

import { NnlabError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import { generate, type GeneratedToken } from "../../models/gpt/generate.js";
import { topCandidates } from "../../models/gpt/sampling.js";
import { floatFlag, intFlag } from "../args.js";
import { defineCommand } from "../command.js";
import { gptModelOption, loadGptModelFlag, tokenizerForModel } from "./gpt-shared.js";
import { backendOption, startBackend } from "./shared.js";

export const gptSampleCommand = defineCommand({
  name: "gpt sample",
  summary: "Generate text from a GPT, token by token, from a prompt",
  spec: {
    description:
      "Each step turns the last position's logits into probabilities (softmax with --temperature, then --top-k and --top-p), draws the next token with the seeded generator and appends it. " +
      "A KV cache keeps each step to one new position. With --json: {\"prompt\", \"text\", \"tokens\", \"prompt_tokens\", \"ms_per_token\", \"model_dir\", \"backend\"}.",
    options: [
      gptModelOption,
      { name: "prompt", type: "string", default: "\n", valueName: "TEXT", description: "Text to continue (default: a newline)" },
      { name: "tokens", type: "string", default: "200", valueName: "N", description: "Tokens to generate" },
      { name: "temperature", type: "string", default: "0.8", valueName: "T", description: "Softmax temperature ≥ 0: lower is more predictable, 0 always takes the most likely token" },
      { name: "top-k", type: "string", default: "0", valueName: "K", description: "Sample from the K most likely tokens only (0: all)" },
      { name: "top-p", type: "string", default: "1", valueName: "P", description: "Sample from the smallest set of likeliest tokens whose probability reaches P, in (0, 1]" },
      { name: "seed", type: "string", default: "1337", valueName: "N", description: "Random seed: same seed, same text" },
      { name: "show-probs", type: "boolean", description: "Print each step's five most likely tokens with their probabilities" },
      { name: "tokenizer", type: "string", valueName: "gpt2|DIR", description: "Tokenizer (default: the one in the model's config.json, or GPT-2's)" },
      backendOption,
    ],
  },
  examples: ['gpt sample --model runs/gpt-tiny --prompt "ROMEO:"', 'gpt sample --model runs/gpt-tiny --prompt "To be" --temperature 0 --tokens 40', 'gpt sample --model runs/gpt-tiny --prompt "First" --tokens 5 --show-probs'],
  async run(args, ctx) {
    const o = args.options;
    const maxNewTokens = intFlag("tokens", o.tokens, { min: 1, max: 1_000_000 });
    const temperature = floatFlag("temperature", o.temperature, { min: 0 });
    const topK = intFlag("top-k", o["top-k"], { min: 0 });
    const topP = floatFlag("top-p", o["top-p"], { above: 0, max: 1 });
    const seed = intFlag("seed", o.seed, { min: 0, max: 2 ** 32 - 1 });
    if (o.prompt === "") throw NnlabError.problem({ subject: "--prompt", expected: "some text to continue", found: "an empty string", fix: 'Leave --prompt out to start from a newline.' });
    const backend = await startBackend(o.backend);
    const loaded = await loadGptModelFlag(o.model, ctx);
    const tokenizer = await tokenizerForModel(loaded, o.tokenizer);
    const prompt = tokenizer.encode(o.prompt);
    const { blockSize } = loaded.config;
    if (prompt.length > blockSize) {
      throw NnlabError.problem({
        subject: "--prompt",
        expected: `at most ${blockSize} tokens (the model's context)`,
        found: `${prompt.length} tokens`,
        fix: `Shorten it, e.g. to its last ${blockSize} tokens; the model cannot see more at once.`,
      });
    }

    // stream the text: print what decodes cleanly, hold back a token that ends inside a UTF-8 character
    const generated: number[] = [];
    let shown = "";
    const stream = (final: boolean) => {
      const text = tokenizer.decode(generated);
      if (!final && text.endsWith("\uFFFD")) return;
      const fresh = text.startsWith(shown) ? text.slice(shown.length) : text;
      if (!ctx.json && !o["show-probs"]) ctx.stdout.write(fresh);
      shown = text;
    };
    if (!ctx.json && !o["show-probs"]) ctx.stdout.write(o.prompt);
    const onToken = (t: GeneratedToken) => {
      generated.push(t.id);
      if (o["show-probs"]) {
        const bars = topCandidates(t.probs, 5).filter((c) => c.p > 0).map((c) => `${JSON.stringify(tokenizer.piece(c.id))} ${(c.p * 100).toFixed(1)}%`);
        ctx.print(`${String(generated.length).padStart(4)}  → ${JSON.stringify(tokenizer.piece(t.id)).padEnd(10)}  ${bars.join("  ")}`);
      }
      stream(false);
    };
    const started = performance.now();
    generate(loaded.model, prompt, { maxNewTokens, temperature, topK, topP, rng: new Rng(seed), onToken, vocabLimit: tokenizer.vocabSize });
    const ms = (performance.now() - started) / maxNewTokens;
    stream(true);
    if (!ctx.json && !o["show-probs"]) ctx.stdout.write("\n");
    if (o["show-probs"]) ctx.print(o.prompt + tokenizer.decode(generated));
    ctx.result({ prompt: o.prompt, text: tokenizer.decode(generated), tokens: generated, prompt_tokens: prompt, ms_per_token: ms, model_dir: loaded.dir, backend });
  },
});
