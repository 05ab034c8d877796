// `nnlab facts orthogonal` — lesson 7: high-dimensional space holds far more nearly perpendicular
// directions than dimensions. Packs k unit vectors into n dimensions by gradient descent on their
// pairwise cosines (the lesson's margin loss and an exponential one), measures every pair's angle against
// random vectors and the Welch bound, and how many vectors fit in an angle band as n grows.

import { fmt, labRng, pct, table } from "../common.js";
import type { Experiment, ExperimentContext, LabFigure, LabOutput } from "../experiment.js";
import { lineChart, type SeriesPoint } from "../figures.js";
import { angleStats, degreesOf, largestPacking, packVectors, PENALTY_DEFAULTS, randomFitCount, randomUnitVectors, welchBound, type AngleStats, type PackingPenalty } from "./packing.js";

/** One set of k vectors in n dimensions: random ("none") or packed with a penalty. Angles in degrees. */
export interface OrthogonalRun {
  n: number;
  k: number;
  penalty: "none" | PackingPenalty;
  /** Optimizer steps (0 for the random vectors). */
  steps: number;
  min_angle: number;
  max_angle: number;
  max_abs_cos: number;
  rms_cos: number;
  /** Share of the k(k − 1)/2 pairs between 89° and 91°. */
  share_within_1deg: number;
  /** Welch bound: some pair always lies at or below this angle (and at or above 180° minus it). */
  welch_min_angle: number;
  welch_max_abs_cos: number;
  /** Share of pairs per `bin_width`-degree bin from `start` degrees (empty bins at both ends trimmed). */
  histogram: { start: number; bin_width: number; shares: number[] };
  /** The loss every few steps (empty for the random vectors). */
  loss: { step: number; loss: number }[];
}

/** How many vectors fit in the angle band, by dimension. */
export interface GrowthPoint {
  n: number;
  /** The largest k on the grid n·√2^e that gradient descent packed inside the band. */
  packed_k: number;
  /** Median over draws of how many random unit vectors come before the first pair outside the band. */
  random_k: number;
  /** Each k tried: whether gradient descent packed it inside the band, in how many steps, its largest |cos|. */
  trials: { k: number; fits: boolean; steps: number; max_abs_cos: number }[];
}

export interface OrthogonalResult {
  experiment: "orthogonal";
  /** Steps and rows per step of the packings, and the penalties' constants. */
  method: { steps: number; rows_per_step: number; lr: number; margin: number; alpha: number };
  runs: OrthogonalRun[];
  growth: { band: [number, number]; max_abs_cos: number; steps: number; points: GrowthPoint[] };
}

/** Sizes of the full and the quick version. */
function settingsOf(quick: boolean) {
  return quick
    ? { n: 20, k: 500, steps: 80, rowsPerStep: 500, growthDims: [4, 8, 12], growthSteps: 200, growthMaxK: 200, randomDraws: 11 }
    : { n: 100, k: 10_000, steps: 100, rowsPerStep: 500, growthDims: [4, 8, 12, 16, 20, 24, 28, 32], growthSteps: 300, growthMaxK: 1500, randomDraws: 21 };
}

/** The band of the growth sweep: every pair within 15° of perpendicular (|cos| ≤ sin 15°). */
const GROWTH_BAND_DEG = 15;

function runOf(n: number, k: number, penalty: OrthogonalRun["penalty"], steps: number, stats: AngleStats, losses: number[]): OrthogonalRun {
  const { counts, binWidth } = stats.histogram;
  const first = Math.max(0, counts.findIndex((c) => c > 0));
  let last = counts.length - 1;
  while (last > first && counts[last] === 0) last--;
  const every = Math.max(1, Math.ceil(losses.length / 50));
  return {
    n,
    k,
    penalty,
    steps,
    min_angle: stats.minAngle,
    max_angle: stats.maxAngle,
    max_abs_cos: stats.maxAbsCos,
    rms_cos: stats.rmsCos,
    share_within_1deg: stats.shareWithin1deg,
    welch_min_angle: degreesOf(welchBound(k, n)),
    welch_max_abs_cos: welchBound(k, n),
    histogram: { start: first * binWidth, bin_width: binWidth, shares: counts.slice(first, last + 1).map((c) => c / stats.pairs) },
    loss: losses.flatMap((loss, step) => (step % every === 0 || step === losses.length - 1 ? [{ step, loss }] : [])),
  };
}

async function runOrthogonal(ctx: ExperimentContext): Promise<LabOutput<OrthogonalResult>> {
  const s = settingsOf(ctx.quick);
  const method = { steps: s.steps, rows_per_step: s.rowsPerStep, lr: 0.01, margin: PENALTY_DEFAULTS.margin, alpha: PENALTY_DEFAULTS.alpha };
  const random = randomUnitVectors(s.k, s.n, labRng(ctx.seed, 1));
  ctx.log(`measuring the ${(s.k * (s.k - 1) / 2).toLocaleString("en-US")} pairs of ${s.k.toLocaleString("en-US")} random unit vectors in ${s.n} dimensions`);
  const runs = [runOf(s.n, s.k, "none", 0, angleStats(random, s.k, s.n), [])];
  for (const penalty of ["margin", "exp"] as const) {
    const bar = ctx.progress(`packing ${s.k} vectors in ${s.n} dims (${penalty} penalty)`, s.steps);
    const packed = packVectors(random, s.k, s.n, { penalty, steps: s.steps, rowsPerStep: s.rowsPerStep, lr: method.lr, rng: labRng(ctx.seed, 2), onStep: (step, loss) => bar.update(step + 1, { cost: loss }) });
    bar.stop();
    runs.push(runOf(s.n, s.k, penalty, packed.steps, angleStats(packed.vectors, s.k, s.n), packed.losses));
  }

  const bandCos = Math.sin((GROWTH_BAND_DEG * Math.PI) / 180);
  const points: GrowthPoint[] = [];
  const bar = ctx.progress(`how many fit within ${90 - GROWTH_BAND_DEG}°–${90 + GROWTH_BAND_DEG}°, by dimension`, s.growthDims.length);
  for (const [i, n] of s.growthDims.entries()) {
    const rng = labRng(ctx.seed, 100 + n);
    const draws = Array.from({ length: s.randomDraws }, () => randomFitCount(n, bandCos, rng)).sort((a, b) => a - b);
    const packed = largestPacking(n, bandCos, { steps: s.growthSteps, rng, maxK: s.growthMaxK });
    const trials = packed.trials.map((t) => ({ k: t.k, fits: t.fits, steps: t.steps, max_abs_cos: t.maxAbsCos }));
    points.push({ n, packed_k: packed.k, random_k: draws[(draws.length - 1) >> 1], trials });
    bar.update(i + 1);
  }
  bar.stop();

  const result: OrthogonalResult = {
    experiment: "orthogonal",
    method,
    runs,
    growth: { band: [90 - GROWTH_BAND_DEG, 90 + GROWTH_BAND_DEG], max_abs_cos: bandCos, steps: s.growthSteps, points },
  };
  const figures = await figuresOf(result);
  return { result, figures, report: reportOf(result), summary: summaryOf(result) };
}

const LABEL: Record<OrthogonalRun["penalty"], string> = { none: "random", margin: "lesson's margin loss", exp: "exponential loss" };

async function figuresOf(r: OrthogonalResult): Promise<LabFigure[]> {
  const points = (logY: boolean): SeriesPoint[] =>
    r.runs.flatMap((run) => run.histogram.shares.flatMap((y, b) => (logY && y === 0 ? [] : [{ x: run.histogram.start + (b + 0.5) * run.histogram.bin_width, y, series: LABEL[run.penalty] }])));
  const { n, k, welch_min_angle: welch } = r.runs[0];
  const rules = [
    { x: welch, label: `Welch ${welch.toFixed(1)}°` },
    { x: 180 - welch, label: `Welch ${(180 - welch).toFixed(1)}°` },
    { x: 89, label: "89°" },
    { x: 91, label: "91°" },
  ];
  const title = `Angles between all pairs of ${k.toLocaleString("en-US")} unit vectors in ${n} dimensions`;
  const growth = r.growth.points.flatMap((p) => [
    { x: p.n, y: p.packed_k, series: "gradient descent" },
    { x: p.n, y: p.random_k, series: "random (median draw)" },
  ]);
  return [
    { file: "angles.svg", caption: "Share of pairs per half-degree of angle, before and after packing", data: await lineChart(title, points(false), "angle (degrees)", "share of pairs per 0.5°", { rules }) },
    { file: "angles-tails.svg", caption: "The same on a log scale: the tails that set the smallest and largest angle", data: await lineChart(`${title} (log scale)`, points(true), "angle (degrees)", "share of pairs per 0.5°", { logY: true, rules }) },
    { file: "growth.svg", caption: `How many unit vectors fit with every pair within ${r.growth.band[0]}°–${r.growth.band[1]}°, by dimension`, data: await lineChart(`Vectors with every pair within ${r.growth.band[0]}°–${r.growth.band[1]}°`, growth, "dimensions n", "vectors k", { logY: true }) },
  ];
}

/** What each penalty did to the extremes and to the 89°–91° share, in words built from the numbers. */
function tailsOf(random: OrthogonalRun, margin: OrthogonalRun, exp: OrthogonalRun): string {
  const spread = (run: OrthogonalRun) => `${run.min_angle.toFixed(1)}°–${run.max_angle.toFixed(1)}°`;
  const moved = (run: OrthogonalRun) => (run.max_abs_cos < random.max_abs_cos ? "narrows the extremes" : "widens the extremes");
  return (
    `Against random vectors (${spread(random)}): the lesson's margin loss ${moved(margin)} (${spread(margin)}) and ${margin.share_within_1deg > random.share_within_1deg ? "raises" : "lowers"} the share within 89°–91°; ` +
    `the exponential loss ${moved(exp)} (${spread(exp)}) and ${exp.share_within_1deg > random.share_within_1deg ? "raises" : "lowers"} that share. ` +
    "A penalty that rewards every pair near 90° alike can buy a spike at 90° with a few pairs far from it; one that punishes the worst pairs trims the tails instead."
  );
}

function reportOf(r: OrthogonalResult): string {
  const { n, k, welch_min_angle: welch, welch_max_abs_cos: welchCos } = r.runs[0];
  const byPenalty = (p: OrthogonalRun["penalty"]) => r.runs.find((run) => run.penalty === p)!;
  const best = byPenalty("exp");
  const m = r.method;
  return [
    `The lesson packs ${k.toLocaleString("en-US")} vectors into ${n} dimensions by gradient descent on their dot products and shows their pairwise angles squeezed between 89° and 91°. ` +
      `Here the vectors are free parameters normalised inside the loss, so the loss sees exactly their pairwise cosines, and Adam (lr ${m.lr}, cosine decay) takes ${m.steps} steps. ` +
      (m.rows_per_step < k
        ? `A full ${k.toLocaleString("en-US")}² Gram matrix per step is too slow on a CPU, so each step takes the cosines of ${m.rows_per_step} vectors (a fresh slice of a random permutation) with all ${k.toLocaleString("en-US")}: every vector moves every step, and the measurements below use all ${(best.k * (best.k - 1) / 2).toLocaleString("en-US")} pairs.`
        : "Each step uses the full Gram matrix."),
    "",
    `Penalties: the lesson's **margin loss** mean(relu(|cos| − ${m.margin})) pushes every pair beyond the margin towards 90° with the same force; the **exponential loss** mean(exp(${m.alpha}·|cos|)) pushes hardest on the worst pairs.`,
    "",
    table(
      ["vectors", "steps", "smallest angle", "largest angle", "largest |cos|", "rms cos", "pairs within 89°–91°"],
      r.runs.map((run) => [LABEL[run.penalty], run.steps, `${run.min_angle.toFixed(2)}°`, `${run.max_angle.toFixed(2)}°`, fmt(run.max_abs_cos), fmt(run.rms_cos), pct(run.share_within_1deg)]),
    ),
    "",
    `**The hard limit.** The Welch bound says any ${k.toLocaleString("en-US")} unit vectors in ${n} dimensions have a pair with |cos| ≥ √((k − n)/(n(k − 1))) = ${fmt(welchCos)}, ` +
      `so some pair lies outside ${welch.toFixed(1)}°–${(180 - welch).toFixed(1)}° whatever the optimiser does. ` +
      `The best packing here reaches ${best.min_angle.toFixed(2)}°–${best.max_angle.toFixed(2)}° (largest |cos| ${fmt(best.max_abs_cos)}, ${fmt(best.max_abs_cos / welchCos, 3)}× the bound). ` +
      `The same argument bounds the average: the mean cos² over pairs is at least ${fmt(welchCos ** 2)} (an rms deviation from 90° of about ${(90 - welch).toFixed(1)}°), and random vectors already sit at 1/n = ${fmt(1 / n)}, ` +
      `so no packing can squeeze most angles into 89°–91°: that share is ${pct(byPenalty("none").share_within_1deg)} for random vectors, ${pct(byPenalty("margin").share_within_1deg)} after the margin loss and ${pct(best.share_within_1deg)} after the exponential one.`,
    "",
    tailsOf(byPenalty("none"), byPenalty("margin"), best),
    "",
    "![angles](angles.svg)",
    "",
    "![angles, log scale](angles-tails.svg)",
    "",
    `**Growth with dimension (Johnson–Lindenstrauss).** For each n, the largest k (on the grid n, n·√2, 2n, …) that the margin loss with its margin at sin ${GROWTH_BAND_DEG}° = ${fmt(r.growth.max_abs_cos)} packs with every pair within ${r.growth.band[0]}°–${r.growth.band[1]}° in at most ${r.growth.steps} full-Gram steps, ` +
      "and for comparison how many random unit vectors can be drawn before the first pair falls outside the band (median of several draws).",
    "",
    table(["n", "packed k", "k / n", "random k"], r.growth.points.map((p) => [p.n, p.packed_k, fmt(p.packed_k / p.n, 3), p.random_k])),
    "",
    "![growth](growth.svg)",
    "",
  ].join("\n");
}

function summaryOf(r: OrthogonalResult): string[] {
  const lines = r.runs.map((run) => `${LABEL[run.penalty]}: angles ${run.min_angle.toFixed(2)}°–${run.max_angle.toFixed(2)}°, ${pct(run.share_within_1deg)} of pairs within 89°–91°`);
  const { welch_min_angle: w } = r.runs[0];
  lines.push(`Welch bound: some pair outside ${w.toFixed(2)}°–${(180 - w).toFixed(2)}°`);
  const last = r.growth.points[r.growth.points.length - 1];
  lines.push(`within ${r.growth.band[0]}°–${r.growth.band[1]}°: ${r.growth.points.map((p) => `n=${p.n}: ${p.packed_k}`).join(", ")} vectors (random: ${last.random_k} at n=${last.n})`);
  return lines;
}

/** `nnlab facts orthogonal`. */
export const orthogonal: Experiment<OrthogonalResult, ExperimentContext> = {
  name: "orthogonal",
  summary: "Lesson 7: how many nearly perpendicular directions fit in n dimensions (gradient descent, Welch bound)",
  takesModel: false,
  run: runOrthogonal,
};
