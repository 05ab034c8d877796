// Sampling: next-token generation with the KV cache (lesson 5's predict, sample, append, repeat), ms per
// generated token for the nanogpt-cpu model and for GPT-2 small's shape (124M parameters), random weights,
// temperature 1, against a PyTorch peer with its own KV cache (bench/peers/sample.py) in the same run.

import { tidy } from "../src/core/engine.js";
import { Rng } from "../src/core/rng.js";
import type { GptConfig } from "../src/models/gpt/config.js";
import { generate } from "../src/models/gpt/generate.js";
import { GPT } from "../src/models/gpt/model.js";
import { useVariant, variantLabel } from "./backends.js";
import { mapStats, timeRuns, type Bench, type BenchContext, type Entry } from "./harness.js";
import { runPythonPeer, torchLabel } from "./peers/python.js";

const SHAPES: Record<string, GptConfig> = {
  "nanogpt-cpu": { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: 65, bias: false, tied: true, dropout: 0, gelu: "none", layerNormEps: 1e-5 },
  "gpt2-small": { nLayer: 12, nHead: 12, nEmbd: 768, blockSize: 1024, vocabSize: 50257, bias: true, tied: true, dropout: 0, gelu: "tanh", layerNormEps: 1e-5 },
};
const PROMPT_TOKENS = 16;

function tokens(shape: string, quick: boolean): number {
  return shape === "nanogpt-cpu" ? 48 : quick ? 8 : 32;
}

function nnlabEntries(ctx: BenchContext): Entry[] {
  const entries: Entry[] = [];
  for (const [shape, config] of Object.entries(SHAPES)) {
    const n = tokens(shape, ctx.quick);
    const prompt = Array.from({ length: PROMPT_TOKENS }, (_, i) => (i * 7919) % config.vocabSize);
    const models = new Map<string, GPT>(); // one model per backend, shared by its thread counts
    for (const v of ctx.nnlab) {
      const impl = variantLabel(v, ctx.nnlab);
      if (v.backend === "js" && shape !== "nanogpt-cpu") {
        entries.push({ case: shape, impl, nnlab: true, threads: v.threads, stats: null, note: "skipped: the js backend is the oracle, not built for 124M parameters" });
        continue;
      }
      useVariant(v);
      let model = models.get(v.backend);
      if (!model) models.set(v.backend, (model = new GPT(config, new Rng(1)).eval()));
      const rng = new Rng(2);
      const m = model;
      // several warm-up runs: the first variant measured would otherwise pay V8's JIT warm-up of the model's code
      const stats = timeRuns(() => void tidy(() => void generate(m, prompt, { maxNewTokens: n, rng, temperature: 1, cache: true })), {
        warmup: shape === "nanogpt-cpu" ? 10 : 2,
        runs: ctx.quick ? 2 : 5,
        budgetS: ctx.quick ? 5 : 20,
      });
      entries.push({ case: shape, impl, nnlab: true, threads: v.threads, stats: mapStats(stats, (s) => (s * 1000) / n) });
    }
    for (const m of models.values()) for (const p of m.parameters()) p.dispose();
  }
  return entries;
}

async function pythonEntries(ctx: BenchContext): Promise<Entry[]> {
  if (!ctx.python.torch) return [];
  const entries: Entry[] = [];
  for (const shape of Object.keys(SHAPES)) {
    for (const t of ctx.torchThreads) {
      const env = { OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t) };
      const args = { shape, "prompt-tokens": PROMPT_TOKENS, tokens: tokens(shape, ctx.quick), runs: ctx.quick ? 2 : 5, budget: ctx.quick ? 5 : 20, "thread-counts": t };
      entries.push(...(await runPythonPeer("sample.py", ["torch"], args, env)));
    }
  }
  return entries.map((e) => ({ ...e, impl: torchLabel(e.threads), stats: e.stats ? mapStats(e.stats, (s) => s * 1000) : null }));
}

export const sample: Bench = {
  name: "sample",
  title: "Sampling with a KV cache: ms per generated token (nanogpt-cpu: 4 × 4 heads, width 128; gpt2-small: 124M parameters)",
  unit: "ms/token",
  higherIsBetter: false,
  async run(ctx) {
    const entries = [...nnlabEntries(ctx), ...(await pythonEntries(ctx))];
    for (const e of entries) if (e.stats) e.extra = { ...e.extra, "tokens/s": Math.round(1000 / e.stats.median) };
    const notes = [
      `a ${PROMPT_TOKENS}-token prompt, then ${tokens("nanogpt-cpu", ctx.quick)} (nanogpt-cpu) or ${tokens("gpt2-small", ctx.quick)} (gpt2-small) new tokens drawn at temperature 1; time per run divided by the new tokens (the prompt's pass included)`,
      "random weights (the speed does not depend on them); batch 1, as a chat or the CLI samples",
    ];
    if (ctx.python.skipped) notes.push(`skipped PyTorch: ${ctx.python.skipped}`);
    return { entries, notes };
  },
};
