// A tiny GPT that learns the synthetic fact corpus (corpus.ts) with the project's GPT trainer, and how
// to ask it: the next-token prediction after a prompt, batched by prompt length. Node-free.

import { noGrad, tidy } from "../../core/engine.js";
import * as ops from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { GPT } from "../../models/gpt/model.js";
import { makeGptConfig, type GptTrainConfig } from "../../train/gpt-config.js";
import { GptTrainer } from "../../train/gpt-trainer.js";
import { labRng } from "../common.js";
import type { ExperimentContext } from "../experiment.js";
import { encode, makeCorpus, type FactCorpus, type FactPrompt } from "./corpus.js";

/** The model and training settings for the fact corpus: 4 layers of 64 dimensions, 16-token contexts. */
export function factGptConfig(vocabSize: number, iters: number, seed: number): GptTrainConfig {
  return makeGptConfig("tiny", vocabSize, { nLayer: 4, nHead: 4, nEmbd: 64, blockSize: 16, batch: 32, iters, lr: 3e-3, warmup: 50, evalInterval: iters, evalIters: 4, seed });
}

/** The held-out prompts with their answers, as token ids: the validation text the trainer reports on. */
export function heldOutText(corpus: FactCorpus): Int32Array {
  return encode(corpus, corpus.heldOutPrompts.flatMap((p) => [...p.tokens, p.answer]));
}

/** Trains a GPT on the corpus's training text with the project's GptTrainer; `onStep` sees each step's loss. */
export function trainFactGpt(corpus: FactCorpus, config: GptTrainConfig, onStep?: (iter: number, loss: number) => void): GptTrainer {
  const trainer = new GptTrainer(config, { train: corpus.train, val: heldOutText(corpus) });
  while (trainer.iter < config.iters) {
    const loss = trainer.step();
    onStep?.(trainer.iter, loss);
  }
  trainer.model.eval();
  return trainer;
}

/** Prompts grouped by token count, so each group runs as one (B, T) batch: T → the prompts' indices. */
export function byLength(prompts: readonly FactPrompt[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  prompts.forEach((p, i) => {
    const group = groups.get(p.tokens.length);
    if (group) group.push(i);
    else groups.set(p.tokens.length, [i]);
  });
  return groups;
}

/** The token ids of a group of prompts of one length T, as a flat (B, T) array. */
export function batchIds(corpus: FactCorpus, prompts: readonly FactPrompt[], group: readonly number[], T: number): Int32Array {
  const ids = new Int32Array(group.length * T);
  group.forEach((i, row) => ids.set(encode(corpus, prompts[i].tokens), row * T));
  return ids;
}

/** The model's most likely next token (id over the whole vocabulary) after each prompt. */
export function predictNext(model: GPT, corpus: FactCorpus, prompts: readonly FactPrompt[]): number[] {
  const out = new Array<number>(prompts.length);
  for (const [T, group] of byLength(prompts)) {
    const ids = batchIds(corpus, prompts, group, T);
    const best = tidy(() =>
      noGrad(() => {
        const logits = model.forward(ops.tensor(ids, [group.length, T], "int32")); // (B, T, V)
        const V = logits.shape[2];
        return ops.slice(logits, [0, T - 1, 0], [group.length, T, V]).reshape([group.length, V]).argmax(-1).toArray();
      }),
    );
    group.forEach((i, row) => (out[i] = best[row]));
  }
  return out;
}

/** Share of prompts whose predicted token is `answerOf(prompt)`. */
export function recallOf(corpus: FactCorpus, prompts: readonly FactPrompt[], predicted: readonly number[], answerOf: (p: FactPrompt) => string): number {
  const id = new Map(corpus.vocab.map((w, i) => [w, i]));
  return prompts.filter((p, i) => predicted[i] === id.get(answerOf(p))).length / Math.max(1, prompts.length);
}

/**
 * The shuffled-fact control: each relation's values permuted among the people (no one keeps their own
 * unless the draw forces it), so scoring predictions against it measures what knowing the distribution of
 * answers but not the person would score.
 */
export function shuffledFacts(corpus: FactCorpus, rng: Rng): (p: FactPrompt) => string {
  const n = corpus.people.length;
  const perm = rng.permutation(n);
  // rotate by one inside the permutation: person perm[i] takes the facts of perm[i + 1], never their own
  const source = new Int32Array(n);
  for (let i = 0; i < n; i++) source[perm[i]] = perm[(i + 1) % n];
  return (p) => corpus.people[source[p.person]].facts[p.relation];
}

/** The sizes of the fact corpus and its GPT in an experiment's full and quick versions. */
export function factSizes(quick: boolean): { people: number; names: number; iters: number } {
  return quick ? { people: 40, names: 10, iters: 800 } : { people: 80, names: 12, iters: 1500 };
}

/** The fact corpus and the GPT trained on it, with its training loss every 20 steps. */
export interface TrainedFacts {
  readonly corpus: FactCorpus;
  readonly trainer: GptTrainer;
  readonly losses: { step: number; loss: number }[];
}

/**
 * The corpus and a GPT trained on it, as `recall`, `trace` and `edit` use them (the same seed gives the same
 * corpus and model in each), with a progress bar over the training steps.
 */
export function trainedFactModel(ctx: ExperimentContext): TrainedFacts {
  const s = factSizes(ctx.quick);
  const corpus = makeCorpus({ people: s.people, firstNames: s.names, lastNames: s.names, repeats: 3, rng: labRng(ctx.seed, 1) });
  const config = factGptConfig(corpus.vocab.length, s.iters, ctx.seed);
  const bar = ctx.progress(`training a ${config.model.nLayer}-layer GPT on ${corpus.people.length} people's facts`, s.iters);
  const losses: { step: number; loss: number }[] = [];
  const trainer = trainFactGpt(corpus, config, (iter, loss) => {
    if (iter % 20 === 0 || iter === s.iters) {
      losses.push({ step: iter, loss });
      bar.update(iter, { cost: loss });
    }
  });
  bar.stop();
  return { corpus, trainer, losses };
}
