// `nnlab facts superposition` — lesson 7's "superposition", after Anthropic's Toy Models of
// Superposition: n sparse features squeezed into m < n dimensions. Dense features: the model keeps the m
// most important and drops the rest; sparse features: it packs more features than dimensions (5 in 2
// dimensions make a pentagon), paying with interference.

import { chartSvg, heatmapPanelsSvg, lineChart } from "../figures.js";
import { fmt, labRng, table } from "../common.js";
import type { Experiment, ExperimentContext, LabFigure, LabOutput } from "../experiment.js";
import { anglesOf, featureStats, geometricImportances, trainToyModels, type ToyConfig } from "./superposition-model.js";

/** One trained toy model and what it does with each feature. */
export interface ToyModelResult {
  /** Chance that a feature is non-zero (1 − S in the paper's notation). */
  density: number;
  sparsity: number;
  /** Importance-weighted squared error per example, late in training. */
  loss: number;
  /** W as m rows of n: column i is feature i's direction. */
  w: number[][];
  b: number[];
  norms: number[];
  interference: number[];
  /** Features with ‖Wᵢ‖ > 0.5. */
  represented: number;
  dims_per_feature: number;
}

/** One sweep over densities at fixed n, m and importances. */
export interface ToySweep {
  n: number;
  m: number;
  importances: number[];
  steps: number;
  batch: number;
  lr: number;
  models: ToyModelResult[];
  /** For m = 2: each represented feature's angle in the hidden plane (degrees), per model. */
  angles?: number[][];
}

export interface SuperpositionResult {
  experiment: "superposition";
  /** The paper's setting (n = 20, m = 5, importance 0.7^i) and the pentagon (n = 5, m = 2, equal importance). */
  sweeps: ToySweep[];
}

const DENSITIES = [1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001];

function sweepsOf(quick: boolean): Omit<ToyConfig, "rng" | "onStep">[] {
  // lr 1e-2 rather than the paper's 1e-3: it reaches the same configurations in a few thousand steps
  const steps = quick ? 1500 : 3000;
  const batch = quick ? 256 : 512;
  return [
    { n: 20, m: 5, importances: geometricImportances(20, 0.7), densities: quick ? [1, 0.1, 0.01] : DENSITIES, steps, batch, lr: 1e-2 },
    { n: 5, m: 2, importances: geometricImportances(5, 1), densities: quick ? [1, 0.1] : [1, 0.3, 0.1, 0.03], steps, batch, lr: 1e-2 },
  ];
}

async function runSuperposition(ctx: ExperimentContext): Promise<LabOutput<SuperpositionResult>> {
  const sweeps: ToySweep[] = [];
  for (const [s, cfg] of sweepsOf(ctx.quick).entries()) {
    const bar = ctx.progress(`toy models n=${cfg.n}, m=${cfg.m} (${cfg.densities.length} densities at once)`, cfg.steps);
    const trained = trainToyModels({ ...cfg, rng: labRng(ctx.seed, 10 + s), onStep: (step, loss) => (step % 50 === 0 || step === cfg.steps - 1) && bar.update(step + 1, { cost: loss }) });
    bar.stop();
    const models = trained.map((t) => {
      const st = featureStats(t.w, cfg.m, cfg.n);
      const w = Array.from({ length: cfg.m }, (_, d) => Array.from(t.w.slice(d * cfg.n, (d + 1) * cfg.n)));
      return { density: t.density, sparsity: 1 - t.density, loss: t.loss, w, b: Array.from(t.b), norms: st.norms, interference: st.interference, represented: st.represented, dims_per_feature: st.dimsPerFeature };
    });
    const angles = cfg.m === 2 ? trained.map((t, i) => anglesOf(t.w, cfg.n, models[i].norms)) : undefined;
    sweeps.push({ n: cfg.n, m: cfg.m, importances: [...cfg.importances], steps: cfg.steps, batch: cfg.batch, lr: cfg.lr, models, ...(angles ? { angles } : {}) });
  }
  const result: SuperpositionResult = { experiment: "superposition", sweeps };
  return { result, figures: await figuresOf(result), report: reportOf(result), summary: summaryOf(result) };
}

const densityLabel = (d: number) => (d === 1 ? "dense (1 − S = 1)" : `1 − S = ${d}`);

/** Feature directions of the m = 2 models: an arrow from the origin per feature, one panel per density. */
function directionsSvg(sweep: ToySweep): Promise<string> {
  const values = sweep.models.flatMap((mod) => mod.norms.map((_, i) => ({ panel: densityLabel(mod.density), feature: `x${i}`, x: mod.w[0][i], y: mod.w[1][i], x0: 0, y0: 0 })));
  const scale = { domain: [-1.4, 1.4], nice: false };
  return chartSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Feature directions: ${sweep.n} features in ${sweep.m} dimensions (columns of W)`,
    data: { values },
    facet: { field: "panel", type: "nominal", title: null, sort: sweep.models.map((m) => densityLabel(m.density)) },
    columns: Math.min(5, sweep.models.length),
    spec: {
      width: 150,
      height: 150,
      layer: [
        { mark: { type: "rule", strokeWidth: 2 }, encoding: { x: { field: "x0", type: "quantitative", scale, title: null }, y: { field: "y0", type: "quantitative", scale, title: null }, x2: { field: "x" }, y2: { field: "y" }, color: { field: "feature", type: "nominal", title: "feature" } } },
        { mark: { type: "point", filled: true }, encoding: { x: { field: "x", type: "quantitative", scale }, y: { field: "y", type: "quantitative", scale }, color: { field: "feature", type: "nominal" } } },
      ],
    },
  });
}

/** Each feature's norm as a bar, coloured by its interference, one panel per density (the paper's figure). */
function normsSvg(sweep: ToySweep): Promise<string> {
  const values = sweep.models.flatMap((mod) => mod.norms.map((norm, i) => ({ panel: densityLabel(mod.density), feature: i, norm, interference: norm > 0.05 ? mod.interference[i] : 0 })));
  return chartSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Feature norms ‖Wᵢ‖ (bars) and interference Σⱼ≠ᵢ(Ŵᵢ·Wⱼ)² (colour), n = ${sweep.n}, m = ${sweep.m}`,
    data: { values },
    facet: { field: "panel", type: "nominal", title: null, sort: sweep.models.map((m) => densityLabel(m.density)) },
    columns: Math.min(4, sweep.models.length),
    spec: {
      width: 140,
      height: 12 * sweep.n,
      mark: "bar",
      encoding: {
        y: { field: "feature", type: "ordinal", title: "feature (most important first)" },
        x: { field: "norm", type: "quantitative", title: "‖Wᵢ‖", scale: { domain: [0, 1.3] } },
        color: { field: "interference", type: "quantitative", title: "interference", scale: { scheme: "viridis", domain: [0, 1] } },
      },
    },
  });
}

async function figuresOf(r: SuperpositionResult): Promise<LabFigure[]> {
  const [big, small] = r.sweeps;
  const gram = (sw: ToySweep) =>
    sw.models.map((mod) => ({
      title: densityLabel(mod.density),
      matrix: Array.from({ length: sw.n }, (_, i) => Array.from({ length: sw.n }, (_, j) => mod.w.reduce((s, row) => s + row[i] * row[j], 0))),
    }));
  const represented = r.sweeps.flatMap((sw) => sw.models.map((mod) => ({ x: 1 / mod.density, y: mod.represented, series: `n = ${sw.n}, m = ${sw.m}` })));
  return [
    { file: "directions.svg", caption: `The ${small.n} features' directions in the ${small.m}-dimensional hidden space, by density`, data: await directionsSvg(small) },
    { file: "norms.svg", caption: `Feature norms and interference, n = ${big.n}, m = ${big.m}`, data: await normsSvg(big) },
    { file: "gram.svg", caption: `WᵀW for n = ${big.n}, m = ${big.m}: the diagonal is each feature's squared norm, the rest is interference`, data: await heatmapPanelsSvg(`WᵀW, ${big.n} features in ${big.m} dimensions`, gram(big), { rowTitle: "feature", colTitle: "feature", diverging: true, cell: 10 }) },
    { file: "represented.svg", caption: "Features represented (‖Wᵢ‖ > 0.5) against 1 / density", data: await lineChart("Features represented as they get sparser", represented, "1 / (1 − S)", "features with ‖Wᵢ‖ > 0.5") },
  ];
}

/** What the sweep shows, in words built from its numbers: which features the densest and sparsest models keep. */
function transitionOf(sw: ToySweep): string {
  const dense = sw.models[0];
  const sparse = sw.models[sw.models.length - 1];
  const kept = (m: ToyModelResult) => m.norms.flatMap((v, i) => (v > 0.5 ? [i] : []));
  const top = kept(dense).every((i) => i < sw.m);
  return (
    `With density ${dense.density} the model represents ${dense.represented} features (${kept(dense).join(", ")}${top ? `: the ${dense.represented} most important` : ""}) ` +
    `(dimensions per feature ${fmt(dense.dims_per_feature, 3)}) and drops the rest; at density ${sparse.density} it represents ${sparse.represented} features in ${sw.m} dimensions ` +
    `(dimensions per feature ${fmt(sparse.dims_per_feature, 3)}). Sparse features rarely fire together, so sharing directions costs little: the interference (colour below) is the price.`
  );
}

function reportOf(r: SuperpositionResult): string {
  const [big, small] = r.sweeps;
  const rows = (sw: ToySweep) => sw.models.map((m) => [densityLabel(m.density), m.represented, fmt(m.dims_per_feature, 3), fmt(m.loss, 3)]);
  const gaps = (angles: number[]) => {
    const sorted = [...angles].sort((a, b) => a - b);
    return sorted.map((a, i) => (i + 1 < sorted.length ? sorted[i + 1] - a : sorted[0] + 360 - a));
  };
  const last = small.models.length - 1;
  const lastAngles = small.angles?.[last] ?? [];
  return [
    "The toy model of Anthropic's *Toy Models of Superposition* (Elhage et al. 2022): an input of n features, each zero except with probability 1 − S (then uniform in [0, 1]), " +
      `squeezed into m hidden dimensions h = Wx and read back as x′ = ReLU(Wᵀh + b). Adam (lr ${big.lr}) minimises the importance-weighted squared error Σᵢ Iᵢ(xᵢ − x′ᵢ)²; ` +
      `one model per density, trained together for ${big.steps} steps of ${big.batch} examples.`,
    "",
    `**${big.n} features in ${big.m} dimensions, importance 0.7^i.**`,
    "",
    table(["density", "features represented", "dimensions per feature", "loss"], rows(big)),
    "",
    transitionOf(big),
    "",
    "![norms](norms.svg)",
    "",
    "![WᵀW](gram.svg)",
    "",
    `**${small.n} features in ${small.m} dimensions, equal importance.**`,
    "",
    table(["density", "features represented", "dimensions per feature", "loss"], rows(small)),
    "",
    lastAngles.length
      ? `At density ${small.models[last].density} the ${lastAngles.length} represented features sit at angles ${lastAngles.map((a) => `${a.toFixed(0)}°`).join(", ")}: gaps of ${gaps(lastAngles).map((g) => `${g.toFixed(0)}°`).join(", ")}` +
        (lastAngles.length === 5 ? " (a regular pentagon has 72°)." : ".")
      : "",
    "",
    "![directions](directions.svg)",
    "",
    "![represented](represented.svg)",
    "",
  ].join("\n");
}

function summaryOf(r: SuperpositionResult): string[] {
  return r.sweeps.map((sw) => `n=${sw.n}, m=${sw.m}: features represented ${sw.models.map((m) => `${m.represented} at 1−S=${m.density}`).join(", ")}`);
}

/** `nnlab facts superposition`. */
export const superposition: Experiment<SuperpositionResult, ExperimentContext> = {
  name: "superposition",
  summary: "Lesson 7: more features than dimensions when features are sparse (Anthropic's toy model of superposition)",
  takesModel: false,
  run: runSuperposition,
};
