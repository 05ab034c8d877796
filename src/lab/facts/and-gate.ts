// `nnlab facts and-gate` — lesson 7: a single MLP neuron that stores "Michael Jordan plays basketball".
// Its row of W↑ asks whether the residual vector holds Michael AND Jordan (bias −1 and the ReLU make the
// AND), its column of W↓ writes basketball. Built by hand, checked on every combination of the named
// directions, then learned from examples and compared with the hand-built row and column.

import { fmt, labRng, table } from "../common.js";
import type { Experiment, ExperimentContext, LabFigure, LabOutput } from "../experiment.js";
import { barChart, lineChart } from "../figures.js";
import { cosine, handBuiltNeuron, learnNeuron, NAMED, readNeuron, residualSpace, truthTable, WRITTEN_ABOVE, type NeuronReadout, type TruthRow } from "./and-gate-circuit.js";

export interface AndGateResult {
  experiment: "and-gate";
  /** Dimensions of the residual space and its named (orthonormal) directions. */
  d: number;
  names: string[];
  /** The hand-built neuron on every combination of the named directions (2⁵ rows). */
  truth_table: TruthRow[];
  /** A basketball score above this counts as "basketball written". */
  written_above: number;
  hand_built: NeuronReadout;
  learned: {
    steps: number;
    batch: number;
    lr: number;
    weight_decay: number;
    noise: number;
    final_loss: number;
    truth_table: TruthRow[];
    readout: NeuronReadout;
    /** Cosine similarity of the learned row with Michael + Jordan, and of the learned column with basketball. */
    row_cosine: number;
    column_cosine: number;
    loss: { step: number; loss: number }[];
  };
}

const short: Record<string, string> = { Michael: "M", Jordan: "J", basketball: "b", Phelps: "P", Barack: "B" };
const labelOf = (inputs: readonly string[]) => (inputs.length ? inputs.map((n) => short[n]).join("+") : "∅");

async function runAndGate(ctx: ExperimentContext): Promise<LabOutput<AndGateResult>> {
  const d = 32;
  const space = residualSpace(d, labRng(ctx.seed, 1));
  const hand = handBuiltNeuron(space);
  const settings = { steps: ctx.quick ? 800 : 2000, batch: 64, lr: 0.01, weightDecay: 0.01, noise: 0.05 };
  const bar = ctx.progress("learning the neuron from examples", settings.steps);
  const losses: number[] = [];
  const learned = learnNeuron(space, {
    ...settings,
    rng: labRng(ctx.seed, 2),
    onStep: (step, loss) => {
      losses.push(loss);
      if (step % 50 === 0 || step === settings.steps - 1) bar.update(step + 1, { cost: loss });
    },
  });
  bar.stop();
  const every = Math.max(1, Math.ceil(losses.length / 100));
  const tail = losses.slice(-Math.max(1, Math.floor(losses.length / 10)));
  const result: AndGateResult = {
    experiment: "and-gate",
    d,
    names: [...NAMED],
    truth_table: truthTable(hand, space),
    written_above: WRITTEN_ABOVE,
    hand_built: readNeuron(hand, space),
    learned: {
      steps: settings.steps,
      batch: settings.batch,
      lr: settings.lr,
      weight_decay: settings.weightDecay,
      noise: settings.noise,
      final_loss: tail.reduce((s, l) => s + l, 0) / tail.length,
      truth_table: truthTable(learned, space),
      readout: readNeuron(learned, space),
      row_cosine: cosine(learned.up, hand.up),
      column_cosine: cosine(learned.down, hand.down),
      loss: losses.flatMap((loss, step) => (step % every === 0 ? [{ step, loss }] : [])),
    },
  };
  const figures: LabFigure[] = [
    {
      file: "truth-table.svg",
      caption: "What the neuron writes along basketball for every combination of names (M Michael, J Jordan, b basketball, P Phelps, B Barack)",
      data: await barChart(
        "Basketball written, for every combination of the named directions",
        [...result.truth_table.map((r) => ({ x: labelOf(r.inputs), y: r.basketball_score, series: "hand-built" })), ...result.learned.truth_table.map((r) => ({ x: labelOf(r.inputs), y: r.basketball_score, series: "learned" }))],
        "names in the residual vector",
        "output · basketball",
      ),
    },
    {
      file: "row-column.svg",
      caption: "The neuron's row (what it asks) and column (what it writes) along each named direction, hand-built and learned",
      data: await barChart(
        "Row of W↑, bias and column of W↓ along the named directions",
        (["hand-built", "learned"] as const).flatMap((series) => {
          const r = series === "hand-built" ? result.hand_built : result.learned.readout;
          return [...NAMED.map((n) => ({ x: `row·${n}`, y: r.row[n], series })), { x: "bias", y: r.bias, series }, ...NAMED.map((n) => ({ x: `column·${n}`, y: r.column[n], series }))];
        }),
        "",
        "component",
      ),
    },
    { file: "loss.svg", caption: "Training loss of the learned neuron", data: await lineChart("Learning the AND neuron", result.learned.loss.map((p) => ({ x: p.step, y: p.loss, series: "squared error" })), "step", "loss", { logY: true }) },
  ];
  return { result, figures, report: reportOf(result), summary: summaryOf(result) };
}

function reportOf(r: AndGateResult): string {
  const l = r.learned;
  const rowOf = (t: TruthRow, learned: TruthRow) => [labelOf(t.inputs), fmt(t.neuron, 3), fmt(t.basketball_score, 3), fmt(learned.basketball_score, 3), t.expected ? "yes" : "no", t.correct && learned.correct ? "✓" : "✗"];
  const readRow = (name: string, x: NeuronReadout) => [name, ...NAMED.map((n) => fmt(x.row[n], 3)), fmt(x.bias, 3), ...NAMED.map((n) => fmt(x.column[n], 3))];
  return [
    `A residual space of ${r.d} dimensions with orthonormal directions for ${r.names.join(", ")} (random, seeded). ` +
      "The lesson's neuron: its row of W↑ is Michael + Jordan and its bias −1, so row·x − 1 is 1 for Michael Jordan, 0 for either name alone and below 0 for neither; " +
      "the ReLU keeps only the positive part (an AND gate), and its column of W↓ is the basketball direction, so the MLP adds basketball to the residual stream exactly when both names are there.",
    "",
    `**Truth table** (${r.truth_table.length} rows: every subset of the named directions; "written" means output·basketball > ${r.written_above}).`,
    "",
    table(["names", "neuron (hand-built)", "basketball (hand-built)", "basketball (learned)", "should write?", "both correct"], r.truth_table.map((t, i) => rowOf(t, l.truth_table[i]))),
    "",
    `Hand-built: ${r.truth_table.filter((t) => t.correct).length}/${r.truth_table.length} rows correct; learned: ${l.truth_table.filter((t) => t.correct).length}/${l.truth_table.length}.`,
    "",
    "![truth table](truth-table.svg)",
    "",
    `**Learned from examples.** One neuron (row, bias, column) trained by AdamW (lr ${l.lr}, weight decay ${l.weight_decay}) for ${l.steps} steps of ${l.batch} examples: ` +
      `each example holds each name with probability ½ plus Gaussian noise (σ ${l.noise} per coordinate) for the other features a residual vector carries, and the target output is the basketball direction for Michael AND Jordan, else 0. ` +
      `Final loss ${fmt(l.final_loss, 3)}. A common scale moves freely between row and column (ReLU(c·z)·v/c is the same function), so the learned numbers are shown with column·basketball scaled to 1:`,
    "",
    table(["neuron", ...NAMED.map((n) => `row·${n}`), "bias", ...NAMED.map((n) => `column·${n}`)], [readRow("hand-built", r.hand_built), readRow("learned", l.readout)]),
    "",
    `The learned row points along Michael + Jordan (cosine ${fmt(l.row_cosine, 4)}; ${(l.readout.row_in_span * 100).toFixed(1)}% of it in the named directions' span) and its column along basketball (cosine ${fmt(l.column_cosine, 4)}). ` +
      (l.row_cosine > 0.95 && l.column_cosine > 0.95 && l.readout.bias < 0
        ? `Gradient descent found the lesson's circuit: about equal weights on the two names (${fmt(l.readout.row.Michael, 3)}, ${fmt(l.readout.row.Jordan, 3)}) and a bias (${fmt(l.readout.bias, 3)}) that cancels one of them.`
        : "Gradient descent found a different circuit from the hand-built one."),
    "",
    "![row and column](row-column.svg)",
    "",
  ].join("\n");
}

function summaryOf(r: AndGateResult): string[] {
  const l = r.learned;
  const ok = (rows: TruthRow[]) => `${rows.filter((t) => t.correct).length}/${rows.length}`;
  return [
    `hand-built neuron: truth table ${ok(r.truth_table)} correct`,
    `learned neuron: truth table ${ok(l.truth_table)} correct; row·Michael ${fmt(l.readout.row.Michael, 3)}, row·Jordan ${fmt(l.readout.row.Jordan, 3)}, bias ${fmt(l.readout.bias, 3)}; cosine with the hand-built row ${fmt(l.row_cosine, 4)}, column ${fmt(l.column_cosine, 4)}`,
  ];
}

/** `nnlab facts and-gate`. */
export const andGate: Experiment<AndGateResult, ExperimentContext> = {
  name: "and-gate",
  summary: "Lesson 7: one MLP neuron as an AND gate that stores \"Michael Jordan plays basketball\", hand-built and learned",
  takesModel: false,
  run: runAndGate,
};
