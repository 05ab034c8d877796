// `nnlab facts recall` — lesson 7's premise: a GPT trained on text stores facts about the things it names.
// A tiny GPT (the project's GPT and trainer) learns a synthetic corpus of invented people's sport, city and
// instrument; recall is measured in the training phrasings, in a phrasing held out for that person and
// fact, and against a shuffled-fact control (the same answers scored against other people's facts).

import { fmt, labRng, pct, table } from "../common.js";
import type { Experiment, ExperimentContext, LabFigure, LabOutput } from "../experiment.js";
import { barChart, lineChart } from "../figures.js";
import { RELATION_NAMES, TEMPLATES, type FactPrompt } from "./corpus.js";
import { factSizes, predictNext, recallOf, shuffledFacts, trainedFactModel, type TrainedFacts } from "./fact-gpt.js";

export interface RecallResult {
  experiment: "recall";
  corpus: { people: number; first_names: number; last_names: number; vocab: number; train_tokens: number; train_prompts: number; held_out_prompts: number; example: string };
  model: { n_layer: number; n_head: number; n_embd: number; block_size: number; iters: number; batch: number; lr: number };
  /** Share of prompts whose most likely next token (over the whole vocabulary) is the fact. */
  recall: { train: number; held_out: number; shuffled_control: number };
  /** The same per relation. */
  by_relation: { relation: string; train: number; held_out: number; shuffled_control: number }[];
  loss: { step: number; loss: number }[];
  /** Mean loss on the held-out phrasings' text after training (the trainer's validation split). */
  held_out_loss: number;
}

/** The recall experiment on an already trained fact GPT (the tests share one model among recall, trace and edit). */
export async function recallReport(ctx: ExperimentContext, trained: TrainedFacts): Promise<LabOutput<RecallResult>> {
  const s = factSizes(ctx.quick);
  const { corpus, trainer, losses } = trained;
  const config = trainer.config;
  const trainPred = predictNext(trainer.model, corpus, corpus.trainPrompts);
  const heldPred = predictNext(trainer.model, corpus, corpus.heldOutPrompts);
  const truth = (p: FactPrompt) => p.answer;
  const shuffled = shuffledFacts(corpus, labRng(ctx.seed, 2));
  const allPrompts = [...corpus.trainPrompts, ...corpus.heldOutPrompts];
  const allPred = [...trainPred, ...heldPred];
  const of = (rel: string | null) => {
    const pick = <T,>(xs: readonly T[], prompts: readonly FactPrompt[]) => xs.filter((_, i) => rel === null || prompts[i].relation === rel);
    const tp = pick(corpus.trainPrompts, corpus.trainPrompts);
    const hp = pick(corpus.heldOutPrompts, corpus.heldOutPrompts);
    const ap = pick(allPrompts, allPrompts);
    return {
      train: recallOf(corpus, tp, pick(trainPred, corpus.trainPrompts), truth),
      held_out: recallOf(corpus, hp, pick(heldPred, corpus.heldOutPrompts), truth),
      shuffled_control: recallOf(corpus, ap, pick(allPred, allPrompts), shuffled),
    };
  };
  const example = corpus.trainPrompts[0];
  const result: RecallResult = {
    experiment: "recall",
    corpus: {
      people: corpus.people.length,
      first_names: s.names,
      last_names: s.names,
      vocab: corpus.vocab.length,
      train_tokens: corpus.train.length,
      train_prompts: corpus.trainPrompts.length,
      held_out_prompts: corpus.heldOutPrompts.length,
      example: `${example.tokens.slice(1).join(" ")} → ${example.answer}`,
    },
    model: { n_layer: config.model.nLayer, n_head: config.model.nHead, n_embd: config.model.nEmbd, block_size: config.model.blockSize, iters: config.iters, batch: config.batch, lr: config.lr },
    recall: of(null),
    by_relation: RELATION_NAMES.map((relation) => ({ relation, ...of(relation) })),
    loss: losses,
    held_out_loss: trainer.evaluate().val_loss,
  };
  const figures: LabFigure[] = [
    {
      file: "recall.svg",
      caption: "Share of prompts answered with the fact, by relation: training phrasings, held-out phrasings, and the shuffled-fact control",
      data: await barChart(
        "Recall of the facts",
        result.by_relation.flatMap((r) => [
          { x: r.relation, y: r.train, series: "training phrasings" },
          { x: r.relation, y: r.held_out, series: "held-out phrasing" },
          { x: r.relation, y: r.shuffled_control, series: "shuffled-fact control" },
        ]),
        "relation",
        "recall",
      ),
    },
    { file: "loss.svg", caption: "Training loss (next-token cross-entropy over the whole text)", data: await lineChart("Training the fact GPT", losses.map((p) => ({ x: p.step, y: p.loss, series: "training loss" })), "step", "loss") },
  ];
  return { result, figures, report: reportOf(result), summary: summaryOf(result) };
}

function reportOf(r: RecallResult): string {
  const c = r.corpus;
  const m = r.model;
  return [
    `A synthetic corpus of ${c.people} invented people, named from ${c.first_names} first names × ${c.last_names} last names (so a name alone does not say who it is: recall needs both tokens, like "Michael Jordan"), ` +
      `each with a random sport, home city and instrument (8 values each). Each fact has ${TEMPLATES.sport.length} phrasings, e.g. "${c.example}"; one phrasing per person and relation is held out of training (which one rotates over people), ` +
      `so the model never saw that fact in those words, though it saw the phrasing for other people. Training text: ${c.train_tokens.toLocaleString("en-US")} word tokens (every training sentence three times, shuffled), vocabulary ${c.vocab}.`,
    "",
    `Model: the project's GPT (${m.n_layer} layers, ${m.n_head} heads, ${m.n_embd} dimensions, ${m.block_size}-token context), trained by the project's GptTrainer (AdamW, lr ${m.lr}, warm-up and cosine decay) for ${m.iters} steps of ${m.batch} windows. ` +
      "Recall is the share of prompts whose most likely next token, over the whole vocabulary, is the fact.",
    "",
    table(["relation", "training phrasings", "held-out phrasing", "shuffled-fact control"], [...r.by_relation.map((x) => [x.relation, pct(x.train, 1), pct(x.held_out, 1), pct(x.shuffled_control, 1)]), ["all", pct(r.recall.train, 1), pct(r.recall.held_out, 1), pct(r.recall.shuffled_control, 1)]]),
    "",
    `The shuffled-fact control scores the same answers against other people's facts: it is what knowing only which values are common would score (chance is about 1/8). ` +
      `Loss on the held-out phrasings' text: ${fmt(r.held_out_loss, 3)}.`,
    "",
    "![recall](recall.svg)",
    "",
  ].join("\n");
}

function summaryOf(r: RecallResult): string[] {
  return [`recall: training phrasings ${pct(r.recall.train, 1)}, held-out phrasing ${pct(r.recall.held_out, 1)}, shuffled-fact control ${pct(r.recall.shuffled_control, 1)} (${r.corpus.people} people, ${r.model.iters} steps)`];
}

/** `nnlab facts recall`. */
export const recall: Experiment<RecallResult, ExperimentContext> = {
  name: "recall",
  summary: "Lesson 7: a tiny GPT trained on invented people's facts recalls them, in held-out phrasings too",
  takesModel: false,
  run: (ctx) => recallReport(ctx, trainedFactModel(ctx)),
};
