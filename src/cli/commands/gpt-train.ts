// `nnlab gpt train`: trains a GPT on text (the embedded Shakespeare or --data FILE) with a progress bar
// (loss, tokens/s, ETA), evaluates and checkpoints atomically every --eval-interval steps, and resumes.

import path from "node:path";
import { NnlabError } from "../../core/errors.js";
import { splitTrainVal } from "../../data/text/corpus.js";
import { resolveTokenizer } from "../../data/text/tokenizer-file.js";
import { tokenizerFromSpec, type Tokenizer } from "../../data/text/tokenizer.js";
import { loadGptRunConfig } from "../../train/gpt-checkpoint.js";
import { memoryLimit } from "../../train/checkpoint.js";
import { checkGptFitsInMemory, GPT_PRESET_CONFIGS, GPT_PRESETS, makeGptConfig, type GptPresetName, type GptConfigOverrides, type GptTrainConfig } from "../../train/gpt-config.js";
import { prepareGptRun, runGptTraining } from "../../train/gpt-run.js";
import { checkGptData, type GptTrainEvent } from "../../train/gpt-trainer.js";
import { choiceFlag, floatFlag, intFlag } from "../args.js";
import { defineCommand } from "../command.js";
import type { ProgressBar } from "../progress.js";
import { corpusText, dataOption } from "./gpt-tokenize.js";
import { backendOption, startBackend, threadsOption } from "./shared.js";

/** Flags that set the model or the optimisation; with --resume the run's config.json holds them. */
const configFlags = [
  "preset", "n-layer", "n-head", "n-embd", "block-size", "dropout", "bias", "batch", "lr", "min-lr", "warmup", "weight-decay", "grad-clip", "eval-interval", "eval-iters", "seed", "tokenizer",
] as const;

/** A numeric flag whose default comes from the presets, shown in --help as "the preset's: tiny 2, nanogpt-cpu 4". */
const num = (name: string, valueName: string, description: string, pick: (p: (typeof GPT_PRESET_CONFIGS)[GptPresetName]) => unknown) =>
  ({ name, type: "string", valueName, description, defaultText: `the preset's: ${GPT_PRESETS.map((n) => `${n} ${String(pick(GPT_PRESET_CONFIGS[n]))}`).join(", ")}` }) as const;

export const gptTrainCommand = defineCommand({
  name: "gpt train",
  summary: "Train a GPT on text (default: preset tiny, characters of the embedded Shakespeare)",
  spec: {
    description:
      "nanoGPT's training: random windows of the text, next-token cross-entropy, AdamW (betas 0.9/0.99, weight decay on matrices), warm-up then cosine decay, gradient clipping. " +
      "Train and validation loss (the last 10% of the text) on fixed seeded batches every --eval-interval steps; after each, the run directory is written atomically: " +
      "config.json + model.safetensors (a Hugging Face GPT-2 directory), optimizer.safetensors, state.json.",
    options: [
      { name: "preset", type: "string", valueName: "NAME", description: `${GPT_PRESETS.join(" | ")} (default tiny): tiny = 2 layers, width 64, context 64, 600 steps; nanogpt-cpu = nanoGPT's CPU run (4 layers, 4 heads, width 128, context 64, batch 12, 2000 steps)` },
      dataOption,
      { name: "tokenizer", type: "string", valueName: "char|gpt2|DIR", description: "char (default: the characters of the text), gpt2, or a directory from `nnlab gpt bpe-train`" },
      num("n-layer", "N", "Transformer blocks", (p) => p.model.nLayer),
      num("n-head", "N", "Attention heads per block", (p) => p.model.nHead),
      num("n-embd", "N", "Width of the residual stream (a multiple of --n-head)", (p) => p.model.nEmbd),
      num("block-size", "N", "Context length in tokens", (p) => p.model.blockSize),
      num("dropout", "X", "Dropout probability in [0, 1)", (p) => p.model.dropout),
      num("bias", "true|false", "Biases in Linear layers and LayerNorms", (p) => p.model.bias),
      num("batch", "N", "Sequences per step", (p) => p.batch),
      num("iters", "N", "Optimizer steps (with --resume: a new total)", (p) => p.iters),
      num("lr", "X", "Peak learning rate", (p) => p.lr),
      num("min-lr", "X", "Learning rate at the end of the cosine decay", (p) => p.minLr),
      num("warmup", "N", "Steps of linear warm-up", (p) => p.warmup),
      num("weight-decay", "X", "AdamW weight decay on matrices", (p) => p.weightDecay),
      num("grad-clip", "X", "Clip the gradients' global norm (0: off)", (p) => p.gradClip),
      num("eval-interval", "N", "Evaluate and checkpoint every N steps", (p) => p.evalInterval),
      num("eval-iters", "N", "Batches per split in each evaluation", (p) => p.evalIters),
      { name: "seed", type: "string", valueName: "N", description: "Random seed: same seed, same run", defaultText: "1337" },
      { name: "out", type: "string", valueName: "DIR", description: "Run directory (default runs/gpt-PRESET)" },
      { name: "resume", type: "string", valueName: "DIR", description: "Continue the run saved in DIR (with the same --data; only --iters may change)", defaultText: "a new run" },
      backendOption,
      threadsOption,
    ],
  },
  examples: ["gpt train", "gpt train --iters 100 --json", "gpt train --preset nanogpt-cpu --data input.txt", "gpt train --resume runs/gpt-tiny --iters 1200"],
  async run(args, ctx) {
    const o = args.options;
    const backend = await startBackend(o.backend, o.threads);
    const text = await corpusText(o.data);
    let config: GptTrainConfig;
    let tokenizer: Tokenizer;
    if (o.resume) {
      const clash = configFlags.filter((f) => o[f] !== undefined);
      if (clash.length) {
        throw NnlabError.problem({ subject: `--${clash[0]}`, expected: "no settings besides --iters with --resume (the run's config.json holds them)", found: `--${clash.join(", --")}`, fix: "Drop it, or start a new run." });
      }
      const saved = await loadGptRunConfig(o.resume);
      tokenizer = tokenizerFromSpec(saved.tokenizer, path.join(o.resume, "config.json"));
      const iters = o.iters !== undefined ? intFlag("iters", o.iters, { min: 1, max: 10_000_000 }) : saved.config.iters;
      config = { ...saved.config, iters };
    } else {
      tokenizer = await resolveTokenizer(o.tokenizer ?? "char", async () => text);
      config = makeGptConfig(choiceFlag("preset", o.preset ?? "tiny", GPT_PRESETS), tokenizer.vocabSize, overrides(o));
    }
    checkGptFitsInMemory(config, backend, memoryLimit(backend), o.resume ? path.join(o.resume, "config.json") : "");
    const ids = Int32Array.from(tokenizer.encode(text));
    const data = splitTrainVal(ids, 0.9);
    checkGptData(data, config.model.blockSize, o.data ? `--data ${o.data}` : "the embedded corpus");
    const outDir = o.out ?? o.resume ?? path.join("runs", `gpt-${config.preset}`);
    const trainer = await prepareGptRun(config, data, { outDir, resumeFrom: o.resume });
    const parameters = trainer.model.parameterCount();
    const m = config.model;
    ctx.print(
      `nnlab: training a GPT of ${m.nLayer} layers × ${m.nHead} heads, width ${m.nEmbd}, context ${m.blockSize}, ${tokenizer.kind} tokens (vocabulary ${tokenizer.vocabSize}); ` +
        `${parameters.toLocaleString("en-US")} parameters; ${data.train.length.toLocaleString("en-US")} training and ${data.val.length.toLocaleString("en-US")} validation tokens; backend ${backend}` +
        (o.resume ? `; resuming after step ${trainer.iter}` : ""),
    );
    const started = performance.now();
    // one bar from each evaluation to the end of the run, so its ETA is the run's; evaluations print between bars
    let bar: ProgressBar | null = null;
    let barFrom = 0;
    let smoothLoss = NaN;
    const onEvent = (e: GptTrainEvent) => {
      if (e.type === "iter") {
        if (!bar) {
          barFrom = e.iter - 1;
          bar = ctx.progress({ label: `steps ${barFrom + 1}–${config.iters}`, total: config.iters - barFrom, columns: [["cost", "loss"], ["rate", "tok/s"]] });
        }
        smoothLoss = Number.isNaN(smoothLoss) ? e.loss : 0.9 * smoothLoss + 0.1 * e.loss;
        bar.update(e.iter - barFrom, { cost: smoothLoss, rate: e.tokensPerSecond });
      } else if (e.type === "eval") {
        bar?.stop();
        bar = null;
        const r = e.record;
        ctx.print(`step ${String(r.iter).padStart(String(config.iters).length)}: train loss ${r.train_loss.toFixed(4)}, val loss ${r.val_loss.toFixed(4)}`);
      }
    };
    try {
      await runGptTraining(trainer, { outDir, tokenizer: tokenizer.toJSON(), onEvent });
    } finally {
      (bar as ProgressBar | null)?.stop();
    }
    const last = trainer.history[trainer.history.length - 1];
    const msPerIter = trainer.medianStepMs();
    const tokensPerSecond = (trainer.tokensPerStep * 1000) / msPerIter;
    ctx.print(
      `val loss ${last.val_loss.toFixed(4)} after ${trainer.iter} steps; ${msPerIter.toFixed(1)} ms/step (median), ${Math.round(tokensPerSecond).toLocaleString("en-US")} tokens/s; ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s in all; model saved in ${outDir}`,
    );
    ctx.result({
      preset: config.preset,
      iters: trainer.iter,
      parameters,
      train_loss: last.train_loss,
      val_loss: last.val_loss,
      ms_per_iter: msPerIter,
      tokens_per_second: tokensPerSecond,
      history: trainer.history.map((h) => ({ iter: h.iter, train_loss: h.train_loss, val_loss: h.val_loss })),
      model_dir: path.resolve(outDir),
      backend,
      config,
      // every step's time (this session's steps), for benchmarks' statistics
      step_ms: trainer.stepMs.map((ms) => Math.round(ms * 100) / 100),
    });
  },
});

/** Flags over the preset; each is checked and named in errors. */
function overrides(o: Record<string, string | boolean | undefined>): GptConfigOverrides {
  const out: GptConfigOverrides = {};
  const int = (flag: string, min: number, max: number) => (o[flag] !== undefined ? intFlag(flag, o[flag], { min, max }) : undefined);
  const float = (flag: string, range: { min?: number; max?: number; above?: number }) => (o[flag] !== undefined ? floatFlag(flag, o[flag], range) : undefined);
  out.nLayer = int("n-layer", 1, 1000);
  out.nHead = int("n-head", 1, 1000);
  out.nEmbd = int("n-embd", 1, 100_000);
  out.blockSize = int("block-size", 1, 1_000_000);
  out.dropout = float("dropout", { min: 0, max: 0.99 });
  if (o.bias !== undefined) out.bias = choiceFlag("bias", o.bias, ["true", "false"] as const) === "true";
  out.batch = int("batch", 1, 100_000);
  out.iters = int("iters", 1, 10_000_000);
  out.lr = float("lr", { above: 0, max: 10 });
  out.minLr = float("min-lr", { min: 0, max: 10 });
  out.warmup = int("warmup", 0, 10_000_000);
  out.weightDecay = float("weight-decay", { min: 0, max: 9.99 });
  out.gradClip = float("grad-clip", { min: 0 });
  out.evalInterval = int("eval-interval", 1, 10_000_000);
  out.evalIters = int("eval-iters", 1, 100_000);
  out.seed = int("seed", 0, 2 ** 32 - 1);
  for (const k of Object.keys(out) as (keyof GptConfigOverrides)[]) if (out[k] === undefined) delete out[k];
  return out;
}
