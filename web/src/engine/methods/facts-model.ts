// Lesson 7's fact GPT in the page: the synthetic fact corpus and the tiny GPT that learns it (the quick
// size of `nnlab facts recall`), trained here step by step; causal tracing of one fact (ROME's picture);
// a rank-one edit of one MLP's W↓ that makes it state a new fact, with the answers before and after, and
// its undo. The math is the library's (src/lab/facts/: corpus, fact-gpt, tracing, rome).

import { Rng } from "../../../../src/core/rng.js";
import type { GPT } from "../../../../src/models/gpt/model.js";
import { labRng } from "../../../../src/lab/common.js";
import { heldOutTemplate, makeCorpus, promptOf, RELATIONS, RELATION_NAMES, type FactCorpus, type FactPrompt, type Relation } from "../../../../src/lab/facts/corpus.js";
import { factGptConfig, factSizes, heldOutText, predictNext, recallOf } from "../../../../src/lab/facts/fact-gpt.js";
import { editFact, factPrompts, keySecondMoments, undoFactEdit, type AppliedFactEdit, type ValueShiftOptions } from "../../../../src/lab/facts/rome.js";
import { noiseLevel, traceFact, TRACED, type Traced } from "../../../../src/lab/facts/tracing.js";
import { GptTrainer } from "../../../../src/train/gpt-trainer.js";
import type { MethodTable } from "../protocol.js";
import { engineReady } from "../state.js";
import { yieldToMessages } from "./lesson2.js";

/** A person of the corpus as the page lists them. */
export interface FactPerson {
  name: string;
  facts: Record<Relation, string>;
}

/** One traced fact: the prompt's tokens and the answer's probability clean, corrupted and restored at each (site, layer, position). */
export interface FactTrace {
  tokens: string[];
  subject: [number, number];
  answer: string;
  clean: number;
  corrupted: number;
  restored: Record<Traced, number[][]>;
  samples: number;
  noise: number;
}

/** One prompt's answer before and after an edit. */
export interface EditedAnswer {
  /** "edited phrasing", "held-out phrasing", "other person". */
  kind: string;
  prompt: string;
  expected: string;
  before: string;
  after: string;
}

declare module "../protocol.js" {
  interface EngineMethods {
    /** Makes the corpus and trains its GPT here (emits "facts.model.progress"); answers recall on training and held-out phrasings. */
    "facts.model.train": { params: { seed: number }; result: { people: FactPerson[]; relations: Record<Relation, readonly string[]>; layers: number; iters: number; parameters: string; recall: { train: number; heldOut: number } } };
    /** Causal tracing of `person`'s `relation` in its first training phrasing. */
    "facts.trace": { params: { person: number; relation: Relation }; result: FactTrace };
    /** ROME's rank-one edit of block `layer`'s W↓ (undoing any earlier edit first): `person`'s `relation` becomes `value`. */
    "facts.edit": { params: { person: number; relation: Relation; value: string; layer: number }; result: { answers: EditedAnswer[]; steps: number; targetProbability: number; layer: number } };
    /** Puts the weights back as they were before the edit. */
    "facts.edit.undo": { params: Record<string, never>; result: { undone: boolean } };
  }
  interface EngineEvents {
    "facts.model.progress": { iter: number; iters: number; loss: number };
  }
}

/** `nnlab facts edit`'s settings: ROME's δ search and the ridge on C. */
const VALUE_SHIFT: ValueShiftOptions = { steps: 100, lr: 0.05, decay: 1e-3, stopAt: 0.9, kl: 1 };
const RIDGE = 0.01;
/** Noise draws per traced position (`nnlab facts trace` takes 10, 4 in --quick). */
const TRACE_SAMPLES = 10;

interface FactModel {
  corpus: FactCorpus;
  model: GPT;
  seed: number;
  covariance: Map<number, Float64Array[]>;
  edit: AppliedFactEdit | null;
}

let current: FactModel | null = null;

function need(): FactModel {
  if (!current) throw new Error("no fact GPT yet: train it first");
  return current;
}

function checkFact(m: FactModel, person: number, relation: Relation): void {
  if (!Number.isInteger(person) || person < 0 || person >= m.corpus.people.length) throw new Error(`person must be 0..${m.corpus.people.length - 1}, got ${person}`);
  if (!RELATION_NAMES.includes(relation)) throw new Error(`relation must be one of ${RELATION_NAMES.join(", ")}, got ${JSON.stringify(relation)}`);
}

/** The first training phrasing of a fact (the held-out one is another). */
function trainingPrompt(corpus: FactCorpus, person: number, relation: Relation): FactPrompt {
  const held = heldOutTemplate(person, relation);
  return promptOf(corpus.people, person, relation, held === 0 ? 1 : 0);
}

const words = (p: FactPrompt) => p.tokens.slice(1).join(" "); // without the leading separator

export const factsModelMethods: MethodTable = {
  async "facts.model.train"({ seed }, ctx) {
    await engineReady();
    if (current?.edit) undoFactEdit(current.model, current.edit);
    for (const [, p] of current?.model.namedParameters() ?? []) p.dispose();
    current = null;
    const sizes = factSizes(true);
    const corpus = makeCorpus({ people: sizes.people, firstNames: sizes.names, lastNames: sizes.names, repeats: 3, rng: labRng(seed, 1) });
    const config = factGptConfig(corpus.vocab.length, sizes.iters, seed);
    const trainer = new GptTrainer(config, { train: corpus.train, val: heldOutText(corpus) });
    let last = 0;
    // steps in slices of ~50 ms, yielding so the page's other requests get through
    while (trainer.iter < config.iters) {
      const start = performance.now();
      let loss = NaN;
      do loss = trainer.step();
      while (trainer.iter < config.iters && performance.now() - start < 50);
      if (performance.now() - last > 200 || trainer.iter === config.iters) {
        last = performance.now();
        ctx.emit("facts.model.progress", { iter: trainer.iter, iters: config.iters, loss });
      }
      await yieldToMessages();
    }
    const model = trainer.model;
    model.eval(); // as trainFactGpt leaves it: no dropout from here on
    current = { corpus, model, seed, covariance: new Map(), edit: null };
    const answer = (p: FactPrompt) => p.answer;
    const c = config.model;
    return {
      people: corpus.people.map((p) => ({ name: `${p.first} ${p.last}`, facts: { ...p.facts } })),
      relations: RELATIONS,
      layers: c.nLayer,
      iters: config.iters,
      parameters: `${c.nLayer} layers, ${c.nHead} heads, ${c.nEmbd} dimensions, ${corpus.vocab.length} word tokens`,
      recall: {
        train: recallOf(corpus, corpus.trainPrompts, predictNext(model, corpus, corpus.trainPrompts), answer),
        heldOut: recallOf(corpus, corpus.heldOutPrompts, predictNext(model, corpus, corpus.heldOutPrompts), answer),
      },
    };
  },

  "facts.trace"({ person, relation }) {
    const m = need();
    checkFact(m, person, relation);
    const prompt = trainingPrompt(m.corpus, person, relation);
    const noise = noiseLevel(m.model);
    const t = traceFact(m.model, m.corpus, prompt, { samples: TRACE_SAMPLES, noise, rng: new Rng(m.seed * 1000 + person * 3 + RELATION_NAMES.indexOf(relation)) });
    const restored = Object.fromEntries(TRACED.map((site) => [site, t.restored[site]])) as Record<Traced, number[][]>;
    return { tokens: [...prompt.tokens], subject: [prompt.subject[0], prompt.subject[1]], answer: prompt.answer, clean: t.clean, corrupted: t.corrupted, restored, samples: TRACE_SAMPLES, noise };
  },

  "facts.edit"({ person, relation, value, layer }) {
    const m = need();
    checkFact(m, person, relation);
    if (!(RELATIONS[relation] as readonly string[]).includes(value)) throw new Error(`a new ${relation} must be one of ${RELATIONS[relation].join(", ")}, got ${JSON.stringify(value)}`);
    if (!Number.isInteger(layer) || layer < 0 || layer >= m.model.config.nLayer) throw new Error(`layer must be 0..${m.model.config.nLayer - 1}, got ${layer}`);
    if (m.edit) undoFactEdit(m.model, m.edit);
    m.edit = null;
    const { edited, heldOut } = factPrompts(m.corpus, person, relation);
    // three other people's same relation: an edit should leave them alone
    const others = m.corpus.trainPrompts.filter((p) => p.relation === relation && p.person !== person && p.template === edited[0].template).slice(0, 3);
    const prompts = [...edited, heldOut, ...others];
    const kinds = [...edited.map(() => "edited phrasing"), "held-out phrasing", ...others.map(() => "other person")];
    const word = (id: number) => m.corpus.vocab[id];
    const before = predictNext(m.model, m.corpus, prompts).map(word);
    // every block's key second moment from one pass over the training text, kept for later edits
    if (!m.covariance.has(layer)) keySecondMoments(m.model, m.corpus.train, RIDGE).matrices.forEach((c, l) => m.covariance.set(l, c));
    const covariance = m.covariance.get(layer)!;
    m.edit = editFact(m.model, m.corpus, { person, relation, value }, { layer, site: "last token", covariance, valueShift: VALUE_SHIFT });
    const after = predictNext(m.model, m.corpus, prompts).map(word);
    return {
      answers: prompts.map((p, i) => ({ kind: kinds[i], prompt: words(p), expected: i < edited.length + 1 ? value : p.answer, before: before[i], after: after[i] })),
      steps: m.edit.steps,
      targetProbability: m.edit.targetProbability,
      layer,
    };
  },

  "facts.edit.undo"() {
    const m = need();
    if (!m.edit) return { undone: false };
    undoFactEdit(m.model, m.edit);
    m.edit = null;
    return { undone: true };
  },
};
