// Lesson 3 — what backpropagation does: one training image's wishes on the outputs, the three levers of
// one output neuron, the wishes summed and passed back layer by layer, the average over a mini-batch,
// and full-batch against mini-batch descent. Every number comes from the engine in the worker.

import "./lesson3.css";
import { DIGITS } from "../components/bars.js";
import { LineChart } from "../components/chart.js";
import { button, panel, slider } from "../components/controls.js";
import { HeatStrip } from "../components/heat-strip.js";
import { latestOnly, showError } from "../components/latest-only.js";
import { NetworkPicker } from "../components/network-picker.js";
import { SignedBars } from "../components/signed-bars.js";
import { stepper } from "../components/stepper.js";
import { SurfacePlot } from "../components/surface-plot.js";
import { drawTile, maxAbs, tile } from "../components/tile.js";
import { engine } from "../engine/client.js";
import type { BatchGradients, DescentPaths, ImageBackprop } from "../engine/methods/backprop.js";
import { el, LESSONS, shell } from "../shell.js";

const lesson = LESSONS[2];
const main = shell(
  lesson.number,
  lesson.title,
  "Pick a training image and watch what the cost asks of every neuron: how much each output should move, which weights and biases get the biggest say, and what each layer wishes of the one before. Every number is computed by the real network in a worker.",
);

const arrow = (v: number) => `${v > 0 ? "↑" : v < 0 ? "↓" : "·"} ${Math.abs(v).toFixed(3)}`;
const signed = (v: number) => (v >= 0 ? "+" : "−") + Math.abs(v).toPrecision(2);

const picker = new NetworkPicker();
main.append(picker.element);

// 1. the image and what it wants of the outputs
const imagePanel = panel(main, "1. What one training image wants", "image-panel");
const imageTile = el("canvas", { class: "digit", "data-testid": "image" });
const imageInfo = el("p", { class: "num", "data-testid": "image-info" }, "…");
const outputs = new SignedBars({ labels: DIGITS, testId: "output-a", format: (v) => v.toFixed(3), half: 60 });
const nudges = new SignedBars({ labels: DIGITS, testId: "output-nudge", format: arrow, half: 60 });
// the page opens on the first image the network gets wrong (see the end); until the reader picks one
let picked = false;
const index = stepper("training image", { min: 0, max: 59_999, value: 0, testId: "image-index" }, (i) => ((picked = true), showImage(i)));
imagePanel.append(
  el("div", { class: "row" }, index.element),
  el(
    "div",
    { class: "row" },
    el("div", {}, imageTile, imageInfo),
    el("div", {}, el("h3", {}, "the outputs a⁽ᴸ⁾"), outputs.element),
    el("div", {}, el("h3", {}, "desired nudges y − a = −∂C/∂a"), nudges.element),
  ),
  el("p", { class: "muted" }, "The cost ½‖a − y‖² wants the label's output pulled up towards 1 and every other output pushed down towards 0, each in proportion to how far it is from where it should be."),
);

// 2. the three levers of one output neuron
const leverPanel = panel(main, "2. Three levers for one output neuron", "lever-panel");
const neuronChoice = el("select", { "data-testid": "lever-neuron" }, ...DIGITS.map((d) => el("option", { value: d }, `output ${d}`)));
const biasNudge = new SignedBars({ labels: ["b"], testId: "lever-bias", format: signed, half: 60 });
const hidden = (n: number) => Array.from({ length: n }, (_, k) => String(k));
const prevActivations = new HeatStrip(12, "lever-prev-a");
const leverColumns = el("div", { class: "row levers" });
leverPanel.append(
  el("label", {}, "neuron ", neuronChoice),
  el("p", { class: "muted" }, "To move an output the way the cost wants, three things can change: its bias; its weights, each in proportion to the activation feeding it (bright neurons get the biggest say — “neurons that fire together wire together”); and the previous activations, each in proportion to its weight."),
  leverColumns,
);
neuronChoice.addEventListener("change", () => current && showLevers(current));

// 3. the wishes summed and passed back
const backPanel = panel(main, "3. All ten outputs' wishes, summed and passed back", "back-panel");
const wishRows = el("div", { class: "wish-rows" });
const pixelWish = el("canvas", { class: "digit", "data-testid": "pixel-wish" });
const weightTiles = el("div", { class: "tiles", "data-testid": "first-layer-nudges" });
const backColumns = el("div", { class: "row" });
backPanel.append(
  el("p", { class: "muted" }, "Each output neuron wishes something of every neuron in the layer before (its weight times its own desired nudge on z). Added up, these wishes are what the previous layer should do — −∂C/∂a⁽ᴸ⁻¹⁾ — and the same recipe repeats one layer further back, down to the pixels."),
  backColumns,
);

// 4. averaging over a mini-batch
const batchPanel = panel(main, "4. Averaging over a mini-batch", "batch-panel");
const BATCHES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];
let draw = 1;
const batchSlider = slider("mini-batch size", { min: 0, max: BATCHES.length - 1, step: 1, value: 3, format: (i) => String(BATCHES[i]), testId: "batch-size" }, () => updateBatch());
const cosExample = el("span", { class: "num", "data-testid": "cos-example" }, "…");
const cosBatch = el("span", { class: "num", "data-testid": "cos-batch" }, "…");
const tileRows = { example: el("div", { class: "tiles" }), batch: el("div", { class: "tiles" }), full: el("div", { class: "tiles" }) };
const fullLabel = el("span", {}, "the full batch");
batchPanel.append(
  el("p", { class: "muted" }, "The true downhill direction averages every training image's wishes. One image's gradient points somewhere else; the mean over a random mini-batch gets closer as the batch grows. Tiles: the first layer's desired weight changes −∂C/∂W⁽¹⁾, one per hidden neuron."),
  el("div", { class: "row" }, batchSlider.element, button("another random batch", () => ((draw += 1), updateBatch()), "new-batch")),
  el(
    "div",
    { class: "grad-scroll" },
    el("table", { class: "grad-table" },
      el("tr", {}, el("th", {}, "one example (the image above)"), el("td", {}, tileRows.example), el("td", {}, "cos to full: ", cosExample)),
      el("tr", {}, el("th", {}, "the mini-batch mean"), el("td", {}, tileRows.batch), el("td", {}, "cos to full: ", cosBatch)),
      el("tr", {}, el("th", {}, fullLabel), el("td", {}, tileRows.full), el("td", {}, "")),
    ),
  ),
);

// 5. full batch against mini-batches: descent paths
const pathPanel = panel(main, "5. Full-batch against mini-batch descent", "path-panel");
const PATH_BATCHES = [1, 10, 100, 500]; // the last is the full batch of the path images
const COLORS = ["#e41a1c", "#ff7f00", "#4daf4a", "#f5f5f5"];
const surface = new SurfacePlot(340, "The cost over a slice of weight space, with each batch size’s path, appears here.");
const PATH_IMAGES = 500;
const pathLabel = (b: number) => (b === PATH_IMAGES ? `full batch (${b})` : `batch ${b}`);
const pathChart = new LineChart({
  title: "Cost per step, free in all weights",
  xLabel: "step",
  yLabel: "cost",
  yLog: true,
  xEmpty: [0, 50],
  series: PATH_BATCHES.map((b, i) => ({ label: pathLabel(b), color: i === 3 ? "#333" : COLORS[i] })),
  placeholder: "Press “roll downhill”: one cost curve per batch size appears here.",
});
const pathInfo = el("p", { class: "muted", "data-testid": "path-info" }, "Rolls SGD downhill with batches of 1, 10, 100 and all 500 images, from the same point and at the same learning rate (a few seconds of the worker's time).");
const runPaths = button("roll downhill", () => void showPaths(), "run-paths");
runPaths.disabled = true; // until there is a network
pathPanel.append(runPaths, el("div", { class: "row" }, surface.element, pathChart.element), pathInfo);

let current: ImageBackprop | null = null;

/** Below this, a nudge tile is all zeros to the eye: drawn grey with a "0", not black. */
const FLAT = 1e-7;

/** One hidden neuron's 784 weight nudges as a tile; an all-zero one says so instead of showing black. */
function nudgeTile(values: ArrayLike<number>, j: number, size: number): HTMLElement {
  const flat = maxAbs(values) < FLAT;
  const t = tile(values, 28, 28, "diverging", size);
  t.title = flat ? `neuron ${j}: no nudge (saturated on this image: σ′(z) ≈ 0)` : `neuron ${j}`;
  return el("span", { class: `nudge-tile${flat ? " flat" : ""}` }, t, ...(flat ? [el("span", { class: "zero" }, "0")] : []));
}

function showImage(i: number): void {
  updateImage(i);
  updateBatch();
}

const updateImage = latestOnly(
  imagePanel,
  (i: number) => engine().call("backpropImage", { index: i }),
  (r) => {
    current = r;
    drawTile(imageTile, r.pixels, 28, 28, "ink");
    const L = r.example.layers.length;
    const last = r.example.layers[L - 1];
    imageInfo.textContent = `image ${r.index}: a ${r.label}; the network says ${r.prediction}; cost C = ${r.example.cost.toFixed(4)}`;
    imagePanel.dataset.index = String(r.index);
    imagePanel.dataset.label = String(r.label);
    outputs.update(last.a, 1);
    outputs.mark((d) => d === r.label);
    nudges.update(last.nudge_a);
    nudges.mark((d) => d === r.label);
    neuronChoice.value = String(r.label);
    showLevers(r);
    showWishes(r);
  },
);

function showLevers(r: ImageBackprop): void {
  const L = r.example.layers.length;
  const last = r.example.layers[L - 1];
  const prevA = L > 1 ? r.example.layers[L - 2].a : r.example.input;
  const j = Number(neuronChoice.value);
  const weightLever = new SignedBars({ labels: hidden(prevA.length), testId: "lever-weights", format: signed, half: 50 });
  const activationLever = new SignedBars({ labels: hidden(prevA.length), testId: "lever-activations", format: signed, half: 50 });
  biasNudge.update([last.bias_nudges[j]]);
  prevActivations.update(prevA, 1);
  weightLever.update(last.weight_nudges[j]);
  activationLever.update(last.wish_by_neuron[j]);
  leverColumns.replaceChildren(
    el("div", {}, el("h3", {}, "① the bias: −∂C/∂b = nudge on z"), biasNudge.element, el("p", { class: "muted num" }, `σ′(z) = ${last.da_dz[j].toFixed(4)}, nudge on a = ${last.nudge_a[j].toFixed(4)}`)),
    el("div", {}, el("h3", {}, "② each weight: aₖ · nudge on z"), el("p", { class: "muted" }, "the previous activations aₖ:"), prevActivations.element, weightLever.element),
    el("div", {}, el("h3", {}, "③ each previous activation: wⱼₖ · nudge on z"), activationLever.element),
  );
  leverPanel.dataset.neuron = String(j);
}

function showWishes(r: ImageBackprop): void {
  const layers = r.example.layers;
  const L = layers.length;
  const last = layers[L - 1];
  wishRows.replaceChildren(
    ...last.wish_by_neuron.map((row, j) => {
      const strip = new HeatStrip(12);
      strip.update(row);
      return el("div", { class: "wish-row" }, el("span", { class: "num" }, `output ${j}`), strip.element);
    }),
  );
  const parts: HTMLElement[] = [el("div", {}, el("h3", {}, "what each output wishes of layer L−1"), wishRows)];
  if (L >= 2) {
    const lastWish = new SignedBars({ labels: hidden(last.wish.length), testId: "wish-last", format: signed, half: 50 });
    lastWish.update(last.wish);
    parts.push(el("div", {}, el("h3", {}, `summed: −∂C/∂a⁽${L - 1}⁾`), lastWish.element));
  }
  if (L >= 3) {
    const before = layers[L - 2];
    const firstWish = new SignedBars({ labels: hidden(before.wish.length), testId: "wish-first", format: signed, half: 50 });
    firstWish.update(before.wish);
    parts.push(el("div", {}, el("h3", {}, `one layer further back: −∂C/∂a⁽${L - 2}⁾`), firstWish.element));
  }
  drawTile(pixelWish, layers[0].wish, 28, 28, "diverging");
  weightTiles.replaceChildren(...layers[0].weight_nudges.map((row, j) => nudgeTile(row, j, 44)));
  const flat = layers[0].weight_nudges.filter((row) => maxAbs(row) < FLAT).length;
  parts.push(
    el(
      "div",
      { class: "pixel-wishes" },
      el("h3", {}, "down to the pixels: −∂C/∂a⁽⁰⁾"),
      pixelWish,
      el("h3", {}, "first-layer weight nudges, one tile per neuron"),
      weightTiles,
      el("p", { class: "muted tiles-note" }, `Green: strengthen, red: weaken (each tile on its own scale).${flat ? ` ${flat === 1 ? "The tile marked 0 belongs to a neuron" : `The ${flat} tiles marked 0 belong to neurons`} saturated on this image (σ′(z) ≈ 0): the cost cannot move ${flat === 1 ? "its" : "their"} weights through it.` : ""}`),
    ),
  );
  backColumns.replaceChildren(...parts);
}

const requestBatch = latestOnly(
  batchPanel,
  (p: { index: number; batch: number; draw: number }) => engine().call("batchGradients", p),
  (r: BatchGradients) => {
    const n = 784;
    for (const key of ["example", "batch", "full"] as const) {
      const g = r.firstLayer[key];
      tileRows[key].replaceChildren(...Array.from({ length: g.length / n }, (_, j) => nudgeTile(g.subarray(j * n, (j + 1) * n), j, 40)));
    }
    fullLabel.textContent = `the full batch (all ${r.fullImages.toLocaleString("en")} images)`;
    cosExample.textContent = r.cosine.example.toFixed(3);
    cosExample.dataset.value = String(r.cosine.example);
    cosBatch.textContent = r.cosine.batch.toFixed(3);
    cosBatch.dataset.value = String(r.cosine.batch);
    batchPanel.dataset.batch = String(r.batch);
  },
);

function updateBatch(): void {
  requestBatch({ index: index.value(), batch: BATCHES[batchSlider.value()], draw });
}

async function showPaths(): Promise<void> {
  runPaths.disabled = true;
  delete pathPanel.dataset.ready;
  const stop = engine().on("backprop.progress", (p) => (pathInfo.textContent = `${p.task}: ${p.done}/${p.total}…`));
  try {
    const r: DescentPaths = await engine().call("descentPaths", { images: PATH_IMAGES, batches: PATH_BATCHES, steps: 50, seed: 7 });
    const held = r.paths.filter((p) => p.in_plane);
    surface.draw(r.axis, r.surface, held.map((p, i) => ({ label: pathLabel(p.batch), color: COLORS[i], x: p.alpha, y: p.beta })));
    const free = r.paths.filter((p) => !p.in_plane);
    pathChart.set([free[0].cost.map((_, s) => s), ...free.map((p) => p.cost)]);
    pathInfo.textContent =
      `Left: the cost on ${r.images} training images over the plane w* + α·d₁ + β·d₂ through the trained weights (two random filter-normalised directions), and SGD held in that plane ` +
      `(learning rate ${r.planeLearningRate} on α, β) from (${r.start.join(", ")}). Right: SGD free in all weights (η = ${r.learningRate}), ${r.steps} steps. ` +
      `Final costs: ${free.map((p) => `${pathLabel(p.batch)} ${p.cost[p.cost.length - 1].toFixed(4)}`).join(", ")}. Small batches zig-zag — each step follows a few images' slope — but each step is far cheaper; the full batch rolls smoothly.`;
    pathPanel.dataset.costs = JSON.stringify(r.paths.map((p) => ({ batch: p.batch, inPlane: p.in_plane, start: p.cost[0], end: p.cost[p.cost.length - 1] })));
    pathPanel.dataset.ready = "true";
  } catch (e) {
    showError(pathPanel, e);
  } finally {
    stop();
    runPaths.disabled = false;
  }
}

picker.ready.then(async () => {
  runPaths.disabled = false;
  // a wrong answer asks for big nudges (a right one, for almost none): start on the first one
  const wrong = await engine().call("firstWrong", { from: 0 }).catch(() => null);
  if (wrong && !picked) index.set(wrong.index);
  imagePanel.dataset.start = String(index.value());
  showImage(index.value());
}, (e) => showError(imagePanel, e));
picker.onChange(() => showImage(index.value()));
