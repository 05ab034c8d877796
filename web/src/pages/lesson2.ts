// Lesson 2 — gradient descent: train the digit network in the page and watch the cost fall, the cost of
// one example against its target, cost landscapes where the learning rate decides between crawling and
// diverging, and what the trained network has (and has not) learned. The worker computes; this page draws.

import "./lesson2.css";
import { Bars, DIGITS } from "../components/bars.js";
import { LineChart } from "../components/chart.js";
import { button, panel, slider } from "../components/controls.js";
import { drawCurve, drawHeatmap } from "../components/surface.js";
import { drawTile } from "../components/tile.js";
import { latestOnly } from "../components/latest-only.js";
import { engine } from "../engine/client.js";
import type { Pace, ToyDescent, ToySurface, ToySurfaceName, TrainLive } from "../engine/methods/lesson2.js";
import { el, LESSONS, shell } from "../shell.js";
import { labPanel } from "./lesson2-lab.js";

const lesson = LESSONS[1];
const main = shell(
  lesson.number,
  lesson.title,
  "The network starts with random weights and learns by gradient descent: average the cost over a mini-batch of training images, step every weight and bias a little way down the cost's gradient, repeat. Everything below runs in the real engine in a Web Worker.",
);

const TRAIN_IMAGES = 60_000;
const fmt = (v: number, digits = 4) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : "–");
const thousands = (v: number) => Math.round(v).toLocaleString("en-US");

// ——— 1. training ———

const trainPanel = panel(main, "Train the network", "train-panel");
trainPanel.append(
  el("p", { class: "muted" }, "784-16-16-10 sigmoid network, quadratic cost, stochastic gradient descent from random N(0, 1) weights (the 3b1b preset). The cost is the mean over the last steps' images; test accuracy is measured on all 10,000 test images every 10,000 training images."),
);
const stats = el("div", { class: "train-stats", "data-testid": "train-stats" });
const readout = { progress: el("span"), cost: el("span"), accuracy: el("span"), settings: el("span"), speed: el("span", { class: "speed" }), error: el("span", { class: "error" }) };
stats.append(...Object.values(readout));
const runButton = button("Start", () => control("run"), "train-run");
const pauseButton = button("Pause", () => control("pause"), "train-pause");
const stepButton = button("One step", () => control("step"), "train-step");
const resetButton = button("New random weights", () => reset(), "train-reset");
const lr = slider("learning rate η", { min: 0.01, max: 30, step: 0.01, value: 3, log: true, format: (v) => fmt(v, 3), testId: "train-lr" }, (v) => void control("set", { lr: v }));
const batch = el("select", { "data-testid": "train-batch" });
for (const b of [1, 2, 5, 10, 20, 50, 100, 500]) batch.append(el("option", { value: String(b), ...(b === 10 ? { selected: "" } : {}) }, String(b)));
batch.addEventListener("change", () => void control("set", { batch: Number(batch.value) }));
// the speed: single steps, the lesson's pace (the first epoch unfolds over about 20 s), or full speed
const PACES: { pace: Pace; label: string; title: string }[] = [
  { pace: "step", label: "1 step/s", title: "one gradient-descent step a second" },
  { pace: "lesson", label: "lesson pace", title: "starts at two steps a second and speeds up: the first epoch unfolds over about 20 s" },
  { pace: "full", label: "full speed", title: "as fast as the engine runs" },
];
const paceButtons = PACES.map((p) => {
  const b = button(p.label, () => void control("set", { pace: p.pace }), `train-pace-${p.pace}`);
  b.title = p.title;
  return b;
});
// x: training images seen on a log scale, so the first epoch (where the learning happens) is not squeezed
const compact = (v: number) => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : String(v));
const EPOCH_MARKS = [1, 2, 5, 10, 20, 50].map((e) => ({ x: e * TRAIN_IMAGES, label: e === 1 ? "1 epoch" : `${e}` }));
const imagesAxis = { xLabel: "training images seen (log scale)", xLog: true, xEmpty: [10, 100_000] as [number, number], xFormat: compact, xMarks: EPOCH_MARKS };
const costChart = new LineChart({ title: "Cost (mean over the latest steps)", ...imagesAxis, series: [{ label: "cost" }], yLog: true, placeholder: "Press Start: the cost appears here as the network learns." });
const accuracyChart = new LineChart({ title: "Test accuracy (all 10,000 test images)", ...imagesAxis, series: [{ label: "test accuracy", color: "--pos" }], yRange: [0, 1], placeholder: "Measured after 100, 200, 500, 1k … images." });
trainPanel.append(
  el("div", { class: "row controls" }, runButton, pauseButton, stepButton, resetButton),
  el("div", { class: "row controls" }, el("span", { class: "segmented", role: "group", "aria-label": "training speed" }, ...paceButtons), lr.element, el("label", {}, "mini-batch size ", batch)),
  stats,
  el("div", { class: "row charts" }, costChart.element, accuracyChart.element),
);

let firstCost = NaN;

function show(l: TrainLive): void {
  const epochs = l.images / TRAIN_IMAGES;
  if (Number.isFinite(l.cost)) {
    if (!Number.isFinite(firstCost)) firstCost = l.cost;
    costChart.push(l.images, l.cost);
    stats.dataset.cost = String(l.cost);
    stats.dataset.firstCost = String(firstCost);
  }
  if (l.test) {
    // the untrained network's accuracy (0 images) has no place on a log axis: it is in the readout
    if (l.test.images > 0) accuracyChart.push(l.test.images, l.test.accuracy);
    else stats.dataset.untrainedAccuracy = String(l.test.accuracy);
    stats.dataset.testAccuracy = String(l.test.accuracy);
  }
  for (const [i, p] of PACES.entries()) paceButtons[i].setAttribute("aria-pressed", String(p.pace === l.pace));
  Object.assign(stats.dataset, { state: l.state, images: String(l.images), steps: String(l.steps), lr: String(l.lr), batch: String(l.batch), pace: l.pace });
  if (Number.isFinite(l.averageImagesPerSecond)) stats.dataset.imagesPerSecond = String(l.averageImagesPerSecond);
  readout.progress.textContent = `${l.state === "running" ? "training" : "paused"} · ${thousands(l.steps)} steps · ${thousands(l.images)} images (${fmt(epochs, 3)} epochs)`;
  readout.cost.textContent = `cost ${fmt(Number(stats.dataset.cost ?? NaN))}`;
  const untrained = stats.dataset.untrainedAccuracy ? ` (untrained ${(Number(stats.dataset.untrainedAccuracy) * 100).toFixed(1)}%)` : "";
  readout.accuracy.textContent = `test accuracy ${stats.dataset.testAccuracy ? `${(Number(stats.dataset.testAccuracy) * 100).toFixed(2)}%` : "–"}${l.images > 0 ? "" : untrained}`;
  readout.settings.textContent = `η = ${fmt(l.lr, 3)}, batch ${l.batch}`;
  if (Number.isFinite(l.imagesPerSecond)) {
    // short; the details on hover
    readout.speed.textContent = `${thousands(l.imagesPerSecond)} images/s`;
    readout.speed.title =
      `${thousands(l.imagesPerSecond)} images/s now (${fmt(TRAIN_IMAGES / l.imagesPerSecond, 3)} s per epoch of 60,000)` +
      (Number.isFinite(l.averageImagesPerSecond) ? `; since start ${thousands(l.averageImagesPerSecond)} images/s training, ${thousands(l.wallImagesPerSecond)} by the clock (with test evaluations)` : "");
  }
  readout.error.textContent = l.error ? `training stopped: ${l.error}` : "";
  runButton.textContent = l.images > 0 ? "Resume" : "Start";
  runButton.disabled = l.state === "running";
  stepButton.disabled = l.state === "running";
  pauseButton.disabled = l.state !== "running";
  refreshExample();
}

async function control(action: "run" | "pause" | "step" | "set", settings: { lr?: number; batch?: number; pace?: Pace } = {}): Promise<void> {
  show(await engine().call("train.control", { action, ...settings }));
}

async function reset(): Promise<void> {
  for (const b of [runButton, pauseButton, stepButton, resetButton]) b.disabled = true;
  readout.progress.textContent = "loading MNIST and making a network with random weights…";
  const seed = Number(trainPanel.dataset.seed ?? 0) + 1;
  trainPanel.dataset.seed = String(seed);
  const l = await engine().call("train.control", { action: "reset", seed, lr: lr.value(), batch: Number(batch.value), pace: (stats.dataset.pace as Pace | undefined) ?? "lesson" });
  firstCost = NaN;
  costChart.clear();
  accuracyChart.clear();
  delete stats.dataset.cost;
  delete stats.dataset.testAccuracy;
  resetButton.disabled = false;
  show(l);
  stats.dataset.ready = "true";
}

engine().on("train.live", show);

// ——— 2. the cost of one example ———

const examplePanel = panel(main, "The cost of one example", "example-panel");
examplePanel.append(
  el("p", { class: "muted" }, "The cost of one training example: how far the ten outputs a are from the target y that is 1 for the right digit and 0 for the others. nnlab's quadratic cost is C = ½ Σⱼ (aⱼ − yⱼ)² (the ½ makes its gradient a − y); the network's cost is its mean over examples. It updates as the network trains."),
);
const index = el("input", { type: "number", min: "0", max: "9999", value: "0", "data-testid": "example-index" });
const exampleImage = el("canvas", { class: "digit" });
const exampleLabel = el("figcaption");
const exampleBars = new Bars({ labels: DIGITS, testId: "example-outputs" });
const exampleRows = DIGITS.map((d) => {
  const cells = [el("td", {}, d), el("td", { class: "num" }), el("td", { class: "num" }), el("td", { class: "num" })];
  return { row: el("tr", {}, ...cells), cells };
});
const exampleCost = el("strong", { class: "num" });
const exampleView = el(
  "div",
  { class: "row example", "data-testid": "example-cost" },
  el("figure", {}, exampleImage, exampleLabel),
  exampleBars.element,
  el("table", { class: "cost-table" }, el("thead", {}, el("tr", {}, ...["digit j", "output aⱼ", "target yⱼ", "(aⱼ − yⱼ)²"].map((h) => el("th", {}, h)))), el("tbody", {}, ...exampleRows.map((r) => r.row))),
  el("p", { class: "cost-sum" }, "C = ½ × (sum of the last column) = ", exampleCost),
);
examplePanel.append(
  el("div", { class: "row controls" }, el("label", {}, "test image ", index), button("◀", () => moveExample(-1)), button("▶", () => moveExample(1))),
  exampleView,
);
function moveExample(d: number): void {
  index.value = String(Math.min(9999, Math.max(0, Number(index.value) + d)));
  refreshExample();
}
index.addEventListener("change", () => refreshExample());

// updates the view in place: it follows the training several times a second
const showExample = latestOnly(
  exampleView,
  (i: number) => engine().call("example.cost", { index: i }),
  (e) => {
    drawTile(exampleImage, e.pixels, 28, 28, "ink");
    exampleLabel.textContent = `label ${e.label}`;
    exampleBars.set(e.outputs, e.label);
    exampleRows.forEach(({ row, cells }, j) => {
      row.classList.toggle("target", j === e.label);
      cells[1].textContent = e.outputs[j].toFixed(3);
      cells[2].textContent = String(e.target[j]);
      cells[3].textContent = e.squares[j].toFixed(4);
    });
    exampleCost.textContent = e.cost.toFixed(4);
    exampleView.dataset.cost = String(e.cost);
  },
);
const refreshExample = () => showExample(Number(index.value));

// ——— 3. cost landscapes ———

const landscapePanel = panel(main, "Rolling downhill: the learning rate", "landscape-panel");
landscapePanel.append(
  el("p", { class: "muted" }, "Gradient descent on two small cost functions, with gradients from the engine's autograd: 50 steps x ← x − η ∇C(x) from the hollow dot. Too small a learning rate crawls, a good one settles in a valley (not always the deepest), too large a one overshoots and diverges. The second function is a valley ten times steeper across than along."),
);
const toyLr = slider("learning rate η", { min: 0.001, max: 3, step: 0.001, value: 0.05, log: true, format: (v) => fmt(v, 3), testId: "toy-lr" }, () => descend());
landscapePanel.append(el("div", { class: "row controls" }, toyLr.element));
const toys: Record<ToySurfaceName, { canvas: HTMLCanvasElement; status: HTMLElement; surface?: ToySurface; title: string }> = {
  quartic: { canvas: el("canvas"), status: el("p", { class: "toy-status", "data-testid": "toy-status-quartic" }), title: "C(x) = x⁴/4 − x² + 0.3x" },
  bowl: { canvas: el("canvas"), status: el("p", { class: "toy-status", "data-testid": "toy-status-bowl" }), title: "C(x, y) = (x² + 10y²)/2" },
};
const toyRow = el("div", { class: "row" }, ...Object.values(toys).map((t) => el("figure", { class: "toy" }, el("figcaption", {}, t.title), t.canvas, t.status)));
landscapePanel.append(toyRow);

const STEPS = 50;
const STATUS_TEXT: Record<ToyDescent["status"], string> = { converged: "settled in a valley", crawling: "still crawling", diverged: "diverged" };

const runDescent = latestOnly(
  toyRow,
  (lr: number) =>
    Promise.all(
      (Object.keys(toys) as ToySurfaceName[]).map(async (name) => {
        toys[name].surface ??= await engine().call("toy.surface", { surface: name });
        return { name, descent: await engine().call("toy.descend", { surface: name, lr, steps: STEPS }) };
      }),
    ),
  (results, lrNow) => {
    for (const { name, descent: d } of results) {
      const t = toys[name];
      const s = t.surface!;
      const taken = d.costs.length - 1;
      if (s.dims === 1) drawCurve(t.canvas, s.xs, s.values, d.path, d.costs, { labels: ["x", "C(x)"] });
      else {
        const xs = d.path.filter((_, i) => i % 2 === 0);
        const ys = d.path.filter((_, i) => i % 2 === 1);
        drawHeatmap(t.canvas, s.xs, s.ys, s.values, xs, ys, { labels: ["x", "y"] });
      }
      t.status.dataset.status = d.status;
      t.status.dataset.lr = String(lrNow);
      t.status.textContent = `η = ${fmt(lrNow, 3)}: ${STATUS_TEXT[d.status]}${d.status === "diverged" ? ` after ${taken} steps` : ` — cost ${fmt(d.costs[taken])}, |∇C| = ${fmt(d.finalGradient, 2)} after ${taken} steps`}`;
    }
  },
);
const descend = () => runDescent(toyLr.value());

const netPart = el("div", { class: "net-landscape", "data-testid": "net-landscape" });
const lineChart = new LineChart({ title: "Cost along two random directions", xLabel: "α (0 = the current weights)", series: [{ label: "w + α·d₁" }, { label: "w + α·d₂", color: "--neg" }], width: 440, xEmpty: [-1, 1], placeholder: "Two slices of the cost appear here." });
const planeCanvas = el("canvas");
const netButton = button("Compute around the current weights", () => void netLandscape(), "net-landscape-run");
landscapePanel.append(
  el("h3", {}, "The real network's cost"),
  el("p", { class: "muted" }, "13,002 weights cannot be drawn, but slices can: the cost on 500 training images at w + α·d₁ + β·d₂, where d₁ and d₂ are random directions with filter normalisation (each neuron's direction scaled to its weights' size; Li et al. 2018). Compute it before and after training."),
  el("div", { class: "row controls" }, netButton),
  netPart,
);
async function netLandscape(): Promise<void> {
  netButton.disabled = true;
  const seed = Number(netPart.dataset.seed ?? 0) + 1;
  const r = await engine().call("net.landscape", { images: 500, points: 21, seed }).finally(() => (netButton.disabled = false));
  netPart.dataset.seed = String(seed);
  lineChart.set([Array.from(r.alpha), Array.from(r.line1), Array.from(r.line2)]);
  drawHeatmap(planeCanvas, r.alpha, r.alpha, r.plane, [0], [0], { labels: ["α", "β"], width: 300, height: 300 });
  const centre = r.line1[(r.alpha.length - 1) / 2];
  netPart.dataset.cost = String(centre);
  netPart.replaceChildren(el("div", { class: "row" }, lineChart.element, el("figure", {}, planeCanvas, el("figcaption", {}, "cost over the plane (dot: the current weights)"))), el("p", {}, `cost at the current weights ${fmt(centre)}; at the corners of the plane up to ${fmt(Math.max(...r.plane))}`));
}

// ——— 4. what it learned ———

labPanel(panel(main, "What did it learn?", "lab-panel"));

void reset().then(() => descend());
