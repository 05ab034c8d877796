// `nnlab facts edit` — lesson 7's picture made operational: if a fact is a key read by an MLP's neurons
// and a value written by W↓, a rank-one change of W↓ at the layer causal tracing points to should make the
// model state a new fact (ROME), in a phrasing it was not edited with, leaving other people's facts alone.
// Every layer at both key positions is tried too, with the keys' overlap that explains the scores.

import type { Rng } from "../../core/rng.js";
import type { GPT } from "../../models/gpt/model.js";
import { fmt, labRng, pct, table } from "../common.js";
import type { Experiment, ExperimentContext, LabFigure, LabOutput } from "../experiment.js";
import { barChart } from "../figures.js";
import { RELATIONS, RELATION_NAMES, type FactCorpus, type FactPrompt } from "./corpus.js";
import { predictNext, trainedFactModel, type TrainedFacts } from "./fact-gpt.js";
import { editDirection, editFact, factPrompts, keyGains, keySecondMoments, meanKey, mlpKeys, undoFactEdit, type FactEditRequest, type KeySite, type ValueShiftOptions } from "./rome.js";
import { editSite, POSITION_KINDS, traceFacts, tracedPrompts } from "./tracing.js";

/** Shares of prompts, before or after an edit. */
export interface EditScores {
  /** The edited fact's training phrasings state the new value. */
  efficacy: number;
  /** Its held-out phrasing (never used to find the edit) states the new value. */
  generalization: number;
  /** Other people's facts of the same relation are still stated correctly. */
  specificity: number;
  /** The edited person's other facts (the other relations) are still stated correctly. */
  other_facts: number;
}

/** How much of δ each kind of key receives: uᵀk (1 = all of it, 0 = none), averaged over the edits. */
export interface KeyOverlap {
  /** The edited fact's training phrasings (k* is their mean, or at the subject the mean over all the person's prompts). */
  edited: number;
  /** Its held-out phrasing. */
  held_out: number;
  /** Other people's prompts of the same relation: mean |uᵀk| and the largest uᵀk of each edit. */
  others_mean_abs: number;
  others_max: number;
}

/** The edits at one layer and key position. */
export interface EditSweepRow {
  site: KeySite;
  layer: number;
  after: EditScores;
  overlap: KeyOverlap;
  /** Mean Adam steps to find δ, and the mean probability of the new value it reached. */
  steps: number;
  target_probability: number;
}

/** How much of an edit at one layer other people's keys take (mean uᵀk, before any edit is made). */
export interface KeyShares {
  layer: number;
  /** Mean |uᵀk| over other people's prompts of the edited relation: what `edit` minimises to choose its layer. */
  others: number;
  /** Mean uᵀk over the prompts of people who share the edited person's first name, and their last name. */
  same_first_name: number;
  same_last_name: number;
}

export interface EditResult {
  experiment: "edit";
  /**
   * Where the edits of `before`/`after` are made: the position whose MLP outputs matter more in the trace,
   * and there the layer whose keys single out the person best (least of the edit taken by other people's keys).
   */
  layer: number;
  site: KeySite;
  /** The layer of the largest MLP effect at that position in the trace. */
  traced_layer: number;
  /** Each layer's key shares at that position, the measure the layer is chosen by. */
  key_shares: KeyShares[];
  /** The trace's mean MLP indirect effect at the last subject token and at the last token, by layer. */
  mlp_effects: { last_subject_token: number[]; last_token: number[] };
  edits: { person: string; relation: string; old: string; new: string; efficacy: number; generalization: number; specificity: number; other_facts: number }[];
  before: EditScores;
  after: EditScores;
  overlap: KeyOverlap;
  /** The same edits at every layer of the chosen position and at ROME's site (the last subject token at its layer of largest MLP effect); with --quick only at the chosen layer and the trace's. */
  sweep: EditSweepRow[];
  settings: { edits: number; value_shift: ValueShiftOptions; ridge: number; covariance_tokens: number };
}

/** The prompts an edit is scored on. */
interface EditCase {
  request: FactEditRequest;
  edited: FactPrompt[];
  heldOut: FactPrompt;
  others: FactPrompt[];
  otherFacts: FactPrompt[];
}

/** `count` edits of different people, relations in turn, each to a random other value. */
function editCases(corpus: FactCorpus, count: number, rng: Rng): EditCase[] {
  const people = rng.permutation(corpus.people.length).slice(0, count);
  return Array.from(people, (person, i) => {
    const relation = RELATION_NAMES[i % RELATION_NAMES.length];
    const old = corpus.people[person].facts[relation];
    const choices = RELATIONS[relation].filter((v) => v !== old);
    const value = choices[rng.int(choices.length)];
    return {
      request: { person, relation, value },
      ...factPrompts(corpus, person, relation),
      others: corpus.trainPrompts.filter((p) => p.relation === relation && p.person !== person),
      otherFacts: corpus.trainPrompts.filter((p) => p.relation !== relation && p.person === person),
    };
  });
}

/** The scores of one edit case with the model as it is now. */
function scores(model: GPT, corpus: FactCorpus, c: EditCase): EditScores {
  const share = (prompts: FactPrompt[], want: (p: FactPrompt) => string) => {
    const got = predictNext(model, corpus, prompts);
    return prompts.filter((p, i) => corpus.vocab[got[i]] === want(p)).length / prompts.length;
  };
  const value = c.request.value;
  return {
    efficacy: share(c.edited, () => value),
    generalization: share([c.heldOut], () => value),
    specificity: share(c.others, (p) => p.answer),
    other_facts: share(c.otherFacts, (p) => p.answer),
  };
}

function meanOf<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((s, x) => s + f(x), 0) / Math.max(1, xs.length);
}

const averageScores = (xs: readonly EditScores[]): EditScores => ({
  efficacy: meanOf(xs, (x) => x.efficacy),
  generalization: meanOf(xs, (x) => x.generalization),
  specificity: meanOf(xs, (x) => x.specificity),
  other_facts: meanOf(xs, (x) => x.other_facts),
});

/** The edits of `cases` at one layer and site, each undone after it is scored. */
function editsAt(model: GPT, corpus: FactCorpus, cases: readonly EditCase[], layer: number, site: KeySite, covariance: readonly Float64Array[], valueShift: ValueShiftOptions) {
  const after: EditScores[] = [];
  const overlaps: KeyOverlap[] = [];
  let steps = 0;
  let targetProbability = 0;
  for (const c of cases) {
    const edit = editFact(model, corpus, c.request, { layer, site, covariance, valueShift });
    after.push(scores(model, corpus, c));
    undoFactEdit(model, edit);
    const gains = (prompts: FactPrompt[]) => keyGains(edit.u, mlpKeys(model, corpus, prompts, layer, site));
    const others = gains(c.others);
    overlaps.push({ edited: meanOf(gains(c.edited), (g) => g), held_out: gains([c.heldOut])[0], others_mean_abs: meanOf(others, Math.abs), others_max: Math.max(...others) });
    steps += edit.steps / cases.length;
    targetProbability += edit.targetProbability / cases.length;
  }
  const overlap: KeyOverlap = {
    edited: meanOf(overlaps, (o) => o.edited),
    held_out: meanOf(overlaps, (o) => o.held_out),
    others_mean_abs: meanOf(overlaps, (o) => o.others_mean_abs),
    others_max: meanOf(overlaps, (o) => o.others_max),
  };
  return { after, overlap, steps, targetProbability };
}

/**
 * How much of an edit at `layer` and `site` other people's keys would take: for each case, u from its key
 * k* (as {@link editFact} computes it) and uᵀk over the other people's prompts of the relation; averaged,
 * also for those sharing the person's first or last name. Measured on the keys alone, before any edit.
 */
function keyShares(model: GPT, corpus: FactCorpus, cases: readonly EditCase[], layer: number, site: KeySite, covariance: readonly Float64Array[]): Omit<KeyShares, "layer"> {
  const all: number[] = [];
  const first: number[] = [];
  const last: number[] = [];
  for (const c of cases) {
    const named = corpus.trainPrompts.filter((p) => p.person === c.request.person);
    const u = editDirection(meanKey(mlpKeys(model, corpus, site === "last subject token" ? named : c.edited, layer, site)), covariance);
    const gains = keyGains(u, mlpKeys(model, corpus, c.others, layer, site));
    const me = corpus.people[c.request.person];
    c.others.forEach((p, i) => {
      all.push(Math.abs(gains[i]));
      const them = corpus.people[p.person];
      if (them.first === me.first) first.push(gains[i]);
      if (them.last === me.last) last.push(gains[i]);
    });
  }
  const mean = (xs: number[]) => (xs.length ? meanOf(xs, (x) => x) : NaN);
  return { others: mean(all), same_first_name: mean(first), same_last_name: mean(last) };
}

/** The edit experiment on an already trained fact GPT (the tests share one model among recall, trace and edit). */
export async function editReport(ctx: ExperimentContext, trained: TrainedFacts): Promise<LabOutput<EditResult>> {
  const { corpus, trainer } = trained;
  const model = trainer.model;
  ctx.log("finding the position by causal tracing");
  const traced = traceFacts(model, corpus, tracedPrompts(model, corpus, ctx.quick ? 8 : 16, labRng(ctx.seed, 3)), 4, labRng(ctx.seed, 4));
  const { layer: tracedLayer, site } = editSite(traced.effects.mlpOut);
  const ridge = 0.01;
  const valueShift: ValueShiftOptions = { steps: 100, lr: 0.05, decay: 1e-3, stopAt: 0.9, kl: 1 };
  const cases = editCases(corpus, ctx.quick ? 6 : 12, labRng(ctx.seed, 5));
  const before = cases.map((c) => scores(model, corpus, c));
  const L = model.config.nLayer;
  // C of each layer's keys, over every position of the training text (shared by both key positions)
  const moments = keySecondMoments(model, corpus.train, ridge);
  // how much of an edit other people's keys would take at each layer of the traced position (no edit made)
  const layers = Array.from({ length: site === "last token" ? L : L - 1 }, (_, l) => l);
  const shares = layers.map((l) => keyShares(model, corpus, cases, l, site, moments.matrices[l]));
  const spill = shares.map((x) => x.others);
  const layer = spill.indexOf(Math.min(...spill));
  // the same edits at every layer of the traced position, and at ROME's site: the last subject token at its layer of largest MLP effect
  // (the quick run: only the chosen layer and the trace's; δ at the subject takes its 100 steps with the KL term, most of the time)
  const subject = traced.effects.mlpOut.slice(0, -1).map((row) => row[POSITION_KINDS.indexOf("last subject token")]);
  const rome = { site: "last subject token" as KeySite, layer: subject.indexOf(Math.max(...subject)) };
  const atSite = ctx.quick ? [...new Set([layer, tracedLayer])] : layers;
  const configs = [...atSite.map((l) => ({ site, layer: l })), ...(site === rome.site || ctx.quick ? [] : [rome])];
  const bar = ctx.progress(`${cases.length} rank-one edits at each of ${configs.length} layers and positions`, configs.length);
  const sweep: EditSweepRow[] = [];
  let headline: ReturnType<typeof editsAt> | undefined;
  for (const config of configs) {
    const run = editsAt(model, corpus, cases, config.layer, config.site, moments.matrices[config.layer], valueShift);
    if (config.site === site && config.layer === layer) headline = run;
    sweep.push({ site: config.site, layer: config.layer, after: averageScores(run.after), overlap: run.overlap, steps: run.steps, target_probability: run.targetProbability });
    bar.update(sweep.length);
  }
  bar.stop();
  if (!headline) throw new Error(`edit: no edits at layer ${layer}, ${site}`);
  const column = (kind: (typeof POSITION_KINDS)[number]) => traced.effects.mlpOut.map((row) => row[POSITION_KINDS.indexOf(kind)]);
  const edits = cases.map((c, i) => {
    const p = corpus.people[c.request.person];
    return { person: `${p.first} ${p.last}`, relation: c.request.relation, old: p.facts[c.request.relation], new: c.request.value, ...headline!.after[i] };
  });
  const result: EditResult = {
    experiment: "edit",
    layer,
    site,
    traced_layer: tracedLayer,
    key_shares: layers.map((l, i) => ({ layer: l, ...shares[i] })),
    mlp_effects: { last_subject_token: column("last subject token"), last_token: column("last token") },
    edits,
    before: averageScores(before),
    after: averageScores(headline.after),
    overlap: headline.overlap,
    sweep,
    settings: { edits: cases.length, value_shift: valueShift, ridge, covariance_tokens: moments.samples },
  };
  const KEYS = ["efficacy", "generalization", "specificity", "other_facts"] as const;
  const figures: LabFigure[] = [
    {
      file: "edit.svg",
      caption: `Efficacy, generalization and specificity before and after the rank-one edits at layer ${layer}, ${site}`,
      data: await barChart(
        "Rank-one edits of one MLP",
        KEYS.flatMap((k) => [
          { x: k.replace("_", " "), y: result.before[k], series: "before" },
          { x: k.replace("_", " "), y: result.after[k], series: "after" },
        ]),
        "",
        "share of prompts",
      ),
    },
    {
      file: "sweep.svg",
      caption: "The same edits at other layers (and, in the full run, at ROME's site): scores after the edit",
      data: await barChart(
        "Where a rank-one edit works",
        sweep.flatMap((r) => KEYS.slice(0, 3).map((k) => ({ x: `${r.site === "last token" ? "last" : "subject"} L${r.layer}`, y: r.after[k], series: k }))),
        "key position and layer",
        "share of prompts",
      ),
    },
  ];
  return { result, figures, report: reportOf(result), summary: summaryOf(result) };
}

function scoreRow(label: string, s: EditScores): string[] {
  return [label, pct(s.efficacy, 1), pct(s.generalization, 1), pct(s.specificity, 1), pct(s.other_facts, 1)];
}

function reportOf(r: EditResult): string {
  const v = r.settings.value_shift;
  const effects = (xs: number[]) => xs.map((x) => fmt(x, 3)).join(", ");
  return [
    `The fact GPT of \`nnlab facts recall\` (same seed). Causal tracing (as in \`nnlab facts trace\`) gives the MLP outputs' mean indirect effects at the last subject token (${effects(r.mlp_effects.last_subject_token)} by layer) and at the last token (${effects(r.mlp_effects.last_token)}), ` +
      `so the edits are made at the ${r.site}. There the trace's largest effect is at layer ${r.traced_layer}, but a large effect says the fact flows through a state, not that the state is specific to the fact (Hase et al. 2023 found tracing a poor guide to where edits work). ` +
      "The layer is chosen instead by what a rank-one edit needs, measured on the keys before any edit: the key must single out the person (lesson 7's AND of first and last name), i.e. other people's keys should take little of the edit. " +
      `By layer, other people's keys would take (mean |uᵀk|) ${r.key_shares.map((k) => fmt(k.others, 2)).join(", ")}; people sharing the first name ${r.key_shares.map((k) => fmt(k.same_first_name, 2)).join(", ")}; sharing the last name ${r.key_shares.map((k) => fmt(k.same_last_name, 2)).join(", ")}. ` +
      `The edits below are at layer ${r.layer}, the least shared.`,
    "",
    `For each of ${r.edits.length} people, one fact gets a new value by a rank-one change of that MLP's W↓ (ROME): ` +
      "the key k* is the mean of the MLP's neurons at that position (at the last subject token over every training prompt naming the person, at the last token over the fact's training phrasings); " +
      `δ is found by Adam (at most ${v.steps} steps, lr ${v.lr}, ‖δ‖² weight ${v.decay}, stopping once the new value's mean probability reaches ${v.stopAt}; at the subject with a KL term of weight ${v.kl} keeping the person's other facts) on the fact's training phrasings, added to the MLP's output there; ` +
      `then W↓ ← W↓ + δ·(C⁻¹k*)ᵀ/(k*ᵀC⁻¹k*), with C the second moment of that MLP's neurons over all ${r.settings.covariance_tokens.toLocaleString("en-US")} positions of the training text (ridge ${r.settings.ridge}·mean diagonal). Each edit is undone before the next.`,
    "",
    table(["", "efficacy", "generalization", "specificity", "person's other facts"], [scoreRow("before", r.before), scoreRow("after", r.after)]),
    "",
    "Efficacy: the edited fact's training phrasings state the new value. Generalization: its held-out phrasing, never used to find the edit, does. Specificity: other people's facts of the same relation are still stated correctly. The person's other facts: their other relations are.",
    "",
    table(["person", "relation", "old", "new", "efficacy", "generalization", "specificity", "other facts"], r.edits.map((e) => [e.person, e.relation, e.old, e.new, pct(e.efficacy, 0), pct(e.generalization, 0), pct(e.specificity, 1), pct(e.other_facts, 0)])),
    "",
    "![edit](edit.svg)",
    "",
    "## Where a rank-one edit works",
    "",
    `The same edits at ${r.sweep.some((x) => x.site !== r.site) ? "other layers of the position, and at ROME's site (the last subject token at its layer of largest MLP effect in the trace)" : "the trace's own layer"}. The overlap columns say why the scores are what they are: W↓k moves by δ·uᵀk with u = C⁻¹k*/(k*ᵀC⁻¹k*), so uᵀk is the share of the edit each key receives — 1 for k* itself; ` +
      "the held-out phrasing's key needs a large share for the edit to generalize, and other people's keys a share near 0 for it to be specific.",
    "",
    table(
      ["position", "layer", "efficacy", "generalization", "specificity", "other facts", "uᵀk held out", "mean \\|uᵀk\\| others", "max uᵀk others", "p(new) reached", "steps"],
      r.sweep.map((s) => [s.site, s.layer, pct(s.after.efficacy, 1), pct(s.after.generalization, 1), pct(s.after.specificity, 1), pct(s.after.other_facts, 1), fmt(s.overlap.held_out, 2), fmt(s.overlap.others_mean_abs, 2), fmt(s.overlap.others_max, 2), pct(s.target_probability, 0), Math.round(s.steps)]),
    ),
    "",
    "![sweep](sweep.svg)",
    "",
  ].join("\n");
}

function summaryOf(r: EditResult): string[] {
  const f = (x: EditScores) => `efficacy ${pct(x.efficacy, 1)}, generalization ${pct(x.generalization, 1)}, specificity ${pct(x.specificity, 1)}, other facts ${pct(x.other_facts, 1)}`;
  return [`${r.edits.length} edits at layer ${r.layer}, ${r.site}`, `before: ${f(r.before)}`, `after:  ${f(r.after)}`];
}

/** `nnlab facts edit`. */
export const edit: Experiment<EditResult, ExperimentContext> = {
  name: "edit",
  summary: "Lesson 7: a rank-one edit of the traced MLP makes the fact GPT state a new fact (ROME)",
  takesModel: false,
  run: (ctx) => editReport(ctx, trainedFactModel(ctx)),
};
