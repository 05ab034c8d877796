// `nnlab facts trace` — lesson 7's "facts live in the MLPs", tested as ROME does: in the fact GPT, corrupt
// the subject's tokens with noise and restore one hidden state at a time; where restoring brings the
// answer back is where the fact flows. Heat maps by layer and position for the residual stream, the MLP
// outputs and the attention outputs.

import { fmt, labRng, pct } from "../common.js";
import type { Experiment, ExperimentContext, LabFigure, LabOutput } from "../experiment.js";
import { heatmapPanelsSvg } from "../figures.js";
import { trainedFactModel, type TrainedFacts } from "./fact-gpt.js";
import type { KeySite } from "./rome.js";
import { editSite, POSITION_KINDS, TRACED, traceFacts, tracedPrompts, type Traced } from "./tracing.js";

export interface TraceResult {
  experiment: "trace";
  prompts: number;
  samples: number;
  /** Standard deviation of the noise added to each coordinate of the subject's embeddings (3× that of W_E). */
  noise: number;
  /** Mean probability of the answer: clean run and corrupted run. */
  clean: number;
  corrupted: number;
  position_kinds: string[];
  /** Mean indirect effect (restored − corrupted probability of the answer), [layer][position kind], per site. */
  effects: Record<Traced, number[][]>;
  /** The layer whose MLP output at the last subject token matters most (where ROME would edit). */
  mlp_layer: number;
  /** The position whose MLP outputs matter more in sum (where `nnlab facts edit` edits), and its layer of largest MLP effect. */
  edit_site: { layer: number; site: KeySite };
}

const SITE_TITLE: Record<Traced, string> = { residual: "residual stream (block output)", mlpOut: "MLP output", attnOut: "attention output" };

/** The trace experiment on an already trained fact GPT (the tests share one model among recall, trace and edit). */
export async function traceReport(ctx: ExperimentContext, trained: TrainedFacts): Promise<LabOutput<TraceResult>> {
  const { corpus, trainer } = trained;
  const model = trainer.model;
  const count = ctx.quick ? 12 : 40;
  const samples = ctx.quick ? 4 : 10;
  const prompts = tracedPrompts(model, corpus, count, labRng(ctx.seed, 3));
  const bar = ctx.progress("causal tracing", prompts.length);
  const traced = traceFacts(model, corpus, prompts, samples, labRng(ctx.seed, 4), (i) => bar.update(i));
  bar.stop();
  const result: TraceResult = {
    experiment: "trace",
    prompts: prompts.length,
    samples,
    noise: traced.noise,
    clean: traced.clean,
    corrupted: traced.corrupted,
    position_kinds: [...POSITION_KINDS],
    effects: traced.effects,
    mlp_layer: traced.mlpLayer,
    edit_site: editSite(traced.effects.mlpOut),
  };
  const figures: LabFigure[] = [
    {
      file: "trace.svg",
      caption: "Mean indirect effect of restoring one hidden state (probability of the answer regained), by layer and position",
      data: await heatmapPanelsSvg(
        "Causal tracing: restoring one state after corrupting the subject",
        TRACED.map((site) => ({ title: SITE_TITLE[site], matrix: result.effects[site] })),
        { rowTitle: "layer", colTitle: "position", colLabels: POSITION_KINDS, cell: 26, columns: 3 },
      ),
    },
  ];
  return { result, figures, report: reportOf(result), summary: summaryOf(result) };
}

function reportOf(r: TraceResult): string {
  const col = (kind: string) => r.position_kinds.indexOf(kind);
  const mlpAt = (kind: string) => r.effects.mlpOut.map((row) => row[col(kind)]);
  const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const best = (site: Traced) => {
    let top = { l: 0, k: 0, v: -Infinity };
    r.effects[site].forEach((row, l) => row.forEach((v, k) => v > top.v && (top = { l, k, v })));
    return `layer ${top.l}, ${r.position_kinds[top.k]} (${fmt(top.v, 3)})`;
  };
  return [
    `The fact GPT of \`nnlab facts recall\` (same seed, same corpus and model). For ${r.prompts} training prompts it answers correctly, the subject's two token embeddings get Gaussian noise (σ ${fmt(r.noise, 3)}, 3× the spread of W_E's entries; ${r.samples} draws each), ` +
      `which drops the answer's probability from ${pct(r.clean, 1)} to ${pct(r.corrupted, 1)} on average. Then one hidden state at a time — the block output (residual stream), the MLP output or the attention output at one layer and position — is put back to its clean value, ` +
      "and the probability regained is its indirect effect (Meng et al. 2022). Positions are grouped as in ROME: before the subject, its first and last token, the tokens after it, and the last token.",
    "",
    "![trace](trace.svg)",
    "",
    `Largest effects: residual stream at ${best("residual")}; MLP output at ${best("mlpOut")}; attention output at ${best("attnOut")}. ` +
      `Summed over layers, the MLP outputs' effect is ${fmt(sumOf(mlpAt("last subject token")), 3)} at the last subject token (largest at layer ${r.mlp_layer}: ${fmt(r.effects.mlpOut[r.mlp_layer][col("last subject token")], 3)}) and ${fmt(sumOf(mlpAt("last token")), 3)} at the last token. ` +
      (r.edit_site.site === "last token"
        ? "So unlike GPT-2 XL in ROME, where early-middle MLPs at the subject's last token carry the fact, this small model gathers the two names into the last token by attention and its MLPs work on them there; "
        : "As in GPT-2 XL in ROME, the MLPs at the subject's last token carry the fact; ") +
      `\`nnlab facts edit\` edits an MLP at the ${r.edit_site.site} (choosing the layer by how specific its keys are to the person; the trace's own pick there is layer ${r.edit_site.layer}).`,
    "",
  ].join("\n");
}

function summaryOf(r: TraceResult): string[] {
  const k = r.position_kinds.indexOf("last subject token");
  return [
    `answer probability: clean ${pct(r.clean, 1)}, subject corrupted ${pct(r.corrupted, 1)} (${r.prompts} prompts)`,
    `MLP output's effect by layer at the last subject token: ${r.effects.mlpOut.map((row) => fmt(row[k], 3)).join(", ")}; at the last token: ${r.effects.mlpOut.map((row) => fmt(row[row.length - 1], 3)).join(", ")}`,
    `edit position: ${r.edit_site.site} (largest MLP effect there at layer ${r.edit_site.layer})`,
  ];
}

/** `nnlab facts trace`. */
export const trace: Experiment<TraceResult, ExperimentContext> = {
  name: "trace",
  summary: "Lesson 7: causal tracing (ROME) in the fact GPT: which layers and positions carry a fact",
  takesModel: false,
  run: (ctx) => traceReport(ctx, trainedFactModel(ctx)),
};
