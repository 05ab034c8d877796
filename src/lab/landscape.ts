// `nnlab lab landscape` — the "ball rolling downhill" picture of lesson 2: the cost along one and two
// random directions around the trained weights, with filter normalisation (Li et al. 2018, "Visualizing
// the Loss Landscape of Neural Nets": each neuron's direction row is scaled to the norm of its weight
// row, so directions are comparable across layers), and the paths of SGD with batch sizes 1, 10, 100
// and the full batch projected into that plane.

import { subset } from "../data/batches.js";
import { fmt, labRng, pct, table } from "./common.js";
import { PLANE_LR, sgdPath, type SgdPath } from "./descent-paths.js";
import { combine, costOn, dot, filterNormalisedDirection, grid } from "./directions.js";
import type { Experiment, LabContext, LabFigure, LabOutput } from "./experiment.js";
import { chartSvg, lineChart } from "./figures.js";
import { describeNet, labNet } from "./lab-net.js";

export interface LandscapeResult {
  experiment: "landscape";
  network: string;
  /** Training images the cost is measured on. */
  images: number;
  /** Cost at the trained weights w*. */
  cost_at_minimum: number;
  /** Cost along w* + α·d₁ and w* + α·d₂. */
  line: { alpha: number[]; cost_d1: number[]; cost_d2: number[] };
  /** Cost on the grid w* + α·d₁ + β·d₂: surface[i][j] at alpha[i], beta[j]. */
  plane: { alpha: number[]; beta: number[]; surface: number[][] };
  /** Cosine between the two random directions (near 0: nearly orthogonal). */
  direction_cosine: number;
  paths: { start: [number, number]; steps: number; learning_rate: number; runs: SgdPath[] };
}

async function runLandscape(ctx: LabContext): Promise<LabOutput<LandscapeResult>> {
  const net = await labNet(ctx, "3b1b", ctx.quick ? { epochs: 1, trainLimit: 5000, testLimit: 1000 } : { epochs: 3 });
  const { model, config } = net;
  const images = ctx.quick ? 300 : 1000;
  const evalSet = subset(ctx.data.train, images);
  const rng = labRng(ctx.seed, 7);
  const wStar = model.stateDict();
  const d1 = filterNormalisedDirection(model, rng);
  const d2 = filterNormalisedDirection(model, rng);
  const costAt = (a: number, b: number) => {
    model.loadStateDict(combine(wStar, d1, d2, a, b));
    return costOn(model, config, evalSet);
  };
  const lineAlpha = grid(ctx.quick ? 11 : 41);
  const planeAxis = grid(ctx.quick ? 9 : 21);
  let bar = ctx.progress("cost along the directions", lineAlpha.length * 2 + planeAxis.length);
  const line = { alpha: lineAlpha, cost_d1: lineAlpha.map((a) => costAt(a, 0)), cost_d2: lineAlpha.map((a, i) => (bar.update(lineAlpha.length + i), costAt(0, a))) };
  const surface = planeAxis.map((a, i) => {
    bar.update(lineAlpha.length * 2 + i);
    return planeAxis.map((b) => costAt(a, b));
  });
  bar.stop();
  const costAtMinimum = costAt(0, 0);

  // SGD from one point of the plane, same learning rate and number of steps for every batch size: once
  // free in all dimensions (then projected), once on the plane's own coordinates (α, β)
  const start: [number, number] = [0.6, 0.6];
  const steps = ctx.quick ? 30 : 150;
  const batches = [1, 10, 100, images];
  const runs: SgdPath[] = [];
  bar = ctx.progress("SGD paths", batches.length * 2 * steps);
  const plane = { origin: wStar, d1, d2 };
  for (const inPlane of [true, false]) {
    for (const batch of batches) runs.push(sgdPath(config, evalSet, plane, { start, steps, batch, inPlane }, (s) => bar.update(runs.length * steps + s)));
  }
  bar.stop();
  model.loadStateDict(wStar);

  const result: LandscapeResult = {
    experiment: "landscape",
    network: describeNet(net),
    images,
    cost_at_minimum: costAtMinimum,
    line,
    plane: { alpha: planeAxis, beta: planeAxis, surface },
    direction_cosine: dot(d1, d2) / Math.sqrt(dot(d1, d1) * dot(d2, d2)),
    paths: { start, steps, learning_rate: config.lr, runs },
  };
  const figures: LabFigure[] = [
    { file: "line.svg", caption: "Cost along two random directions", data: await lineChart("Cost along w* + α·d", [...lineAlpha.map((x, i) => ({ x, y: line.cost_d1[i], series: "d₁" })), ...lineAlpha.map((x, i) => ({ x, y: line.cost_d2[i], series: "d₂" }))], "α", "cost") },
    { file: "plane.svg", caption: "Cost over the plane and the SGD paths held in it", data: await planeSvg(result) },
    {
      file: "path-cost.svg",
      caption: "Cost along the free SGD paths",
      data: await lineChart("Cost per SGD step (free paths)", runs.filter((p) => !p.in_plane).flatMap((p) => p.cost.map((y, x) => ({ x, y, series: `batch ${p.batch}` }))), "step", "cost", { logY: true }),
    },
  ];
  const report = [
    `Network: ${result.network}. The cost (${config.cost}) is measured on ${images} training images at w* + α·d₁ + β·d₂, where w* are the trained weights and d₁, d₂ random ` +
      `directions with filter normalisation (Li et al. 2018): every neuron's direction row has the norm of its weight row, biases are not moved. The two directions' cosine is ${fmt(result.direction_cosine, 2)}.`,
    "",
    "![line](line.svg)",
    "",
    "![plane](plane.svg)",
    "",
    `SGD (learning rate ${config.lr}, ${steps} steps each) starts at (α, β) = (${start.join(", ")}) with batch sizes 1, 10, 100 and the full ${images} images, twice: ` +
      "free in all weights (its position projected into the plane by least squares), and in the plane: SGD on the two coordinates (α, β) of the drawn slice, with the same mini-batches' gradients " +
      `∂C/∂α = ∇C·d₁, ∂C/∂β = ∇C·d₂ and learning rate ${PLANE_LR} — the ball rolling on the surface in the figure.`,
    "",
    table(["batch", "path", "start cost", "end cost", "end (α, β)", "share of the displacement outside the plane"], runs.map((p) => [p.batch, p.in_plane ? "in the plane" : "free", p.cost[0], p.cost[p.cost.length - 1], `(${fmt(p.alpha[p.alpha.length - 1], 2)}, ${fmt(p.beta[p.beta.length - 1], 2)})`, fmt(p.off_plane, 2)])),
    "",
    "![cost along the free paths](path-cost.svg)",
    "",
    `Cost at the trained weights: ${fmt(costAtMinimum)}; at the plane's corners up to ${fmt(Math.max(...surface.flat()))}. ` +
      "Small batches zig-zag (each step follows a few images' slope), the full batch rolls smoothly downhill. The free paths leave the two-dimensional slice almost at once " +
      "(last column): in 12,000+ dimensions two random directions hold almost none of the way down, which is why the drawn paths are the ones held in the plane.",
    "",
  ].join("\n");
  const summary = [
    `cost at the trained weights ${fmt(costAtMinimum)}; along d₁ from ${fmt(line.cost_d1[0])} (α = −1) to ${fmt(line.cost_d1[line.cost_d1.length - 1])} (α = 1)`,
    ...runs.map((p) => `SGD batch ${p.batch} ${p.in_plane ? "in the plane" : "free"}: cost ${fmt(p.cost[0], 3)} → ${fmt(p.cost[p.cost.length - 1], 3)} in ${steps} steps` + (p.in_plane ? `, ends at (${fmt(p.alpha[steps], 2)}, ${fmt(p.beta[steps], 2)})` : `, ${pct(p.off_plane, 1)} of the displacement off the plane`)),
  ];
  return { result, summary, report, figures };
}

/** The cost surface as a heat map with the SGD paths drawn over it. */
function planeSvg(r: LandscapeResult): Promise<string> {
  const cells = r.plane.alpha.flatMap((a, i) => r.plane.beta.map((b, j) => ({ a, b, cost: r.plane.surface[i][j] })));
  const step = r.plane.alpha[1] - r.plane.alpha[0];
  const points = r.paths.runs.filter((p) => p.in_plane).flatMap((p) => p.alpha.map((a, s) => ({ a, b: p.beta[s], s, batch: `batch ${p.batch}` })));
  const domain = [-1 - step / 2, 1 + step / 2];
  return chartSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Cost over w* + α·d₁ + β·d₂ and SGD paths",
    width: 400,
    height: 400,
    layer: [
      {
        data: { values: cells.map((c) => ({ ...c, a0: c.a - step / 2, a1: c.a + step / 2, b0: c.b - step / 2, b1: c.b + step / 2 })) },
        mark: "rect",
        encoding: {
          x: { field: "a0", type: "quantitative", title: "α", scale: { domain } },
          x2: { field: "a1" },
          y: { field: "b0", type: "quantitative", title: "β", scale: { domain } },
          y2: { field: "b1" },
          color: { field: "cost", type: "quantitative", scale: { scheme: "viridis", type: "log" }, title: "cost" },
        },
      },
      {
        data: { values: points },
        mark: { type: "line", strokeWidth: 1.5, clip: true, point: { size: 8 } },
        encoding: {
          x: { field: "a", type: "quantitative" },
          y: { field: "b", type: "quantitative" },
          order: { field: "s", type: "quantitative" },
          stroke: { field: "batch", type: "nominal", title: "SGD", scale: { scheme: "set1" } },
        },
      },
    ],
  });
}

export const landscape: Experiment<LandscapeResult> = {
  name: "landscape",
  summary: "Lesson 2's ball rolling downhill: the cost around the trained weights and SGD paths with batch sizes 1 to full",
  takesModel: true,
  run: runLandscape,
};
