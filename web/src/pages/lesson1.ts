// Lesson 1 — what a network is. Draw a digit; watch MNIST's preprocessing turn it into 784 inputs, the
// activations flow 784 → 16 → 16 → 10 and the outputs answer. Hover a neuron for its incoming weights;
// switch to the matrix form a⁽¹⁾ = σ(W a⁽⁰⁾ + b); count the parameters of any layer sizes; swap sigmoid
// for ReLU. Every number comes from the engine in the worker; this thread only draws.

import "./lesson1.css";
import { Bars, DIGITS } from "../components/bars.js";
import { button, panel } from "../components/controls.js";
import { DrawCanvas } from "../components/draw-canvas.js";
import { latestOnly } from "../components/latest-only.js";
import { MatrixView } from "../components/matrix-view.js";
import { NetworkPicker } from "../components/network-picker.js";
import { NetworkView, type NeuronRef } from "../components/network-view.js";
import { paramCounter } from "../components/param-counter.js";
import { PreprocessView } from "../components/preprocess-view.js";
import { SignedBars } from "../components/signed-bars.js";
import { drawTile } from "../components/tile.js";
import { engine } from "../engine/client.js";
import type { ModelInfo, Reading } from "../engine/methods/core.js";
import type { LayerWeights } from "../engine/methods/lesson1.js";
import { el, LESSONS, shell } from "../shell.js";

const lesson = LESSONS[0];
const main = shell(
  lesson.number,
  lesson.title,
  "A network is a function: 784 numbers in (the pixels), 10 numbers out (how much it thinks the picture is each digit), computed layer by layer as a⁽ˡ⁾ = σ(W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾). Draw a digit and watch it happen.",
);

// ---- the page's parts ----

// a run from the server when there is one, else the lesson's network trained here (or kept from before)
const picker = new NetworkPicker({ preferRun: true, activationSwitch: true });
main.append(picker.element);

const drawing = new DrawCanvas();
const steps = new PreprocessView();
const outputs = new Bars({ labels: DIGITS, testId: "outputs" });
const prediction = el("strong", { class: "prediction", "data-testid": "prediction" });
const drawPanel = panel(main, "Draw a digit", "draw-panel");
drawPanel.append(
  el(
    "div",
    { class: "row" },
    drawing.box(),
    el("div", {}, el("h3", {}, "MNIST's preprocessing, in the worker"), steps.element),
    el("div", {}, el("h3", {}, "the ten outputs"), el("p", {}, "answer: ", prediction), outputs.element),
  ),
);

const viewPanel = panel(main, "Inside: neurons, or matrices", "view-panel");
const neuronsButton = button("neuron view", () => setView("neurons"), "view-neurons");
const matrixButton = button("matrix view", () => setView("matrix"), "view-matrix");
const layerButtons = el("span", { class: "layer-buttons" });
const views = el("div", { class: "views" });
const hoverHint = () => el("p", { class: "muted" }, "Hover a neuron to see its incoming weights.");
const neuronInfo = el("div", { class: "neuron-info", "data-testid": "neuron-info" }, hoverHint());
viewPanel.append(el("div", { class: "row view-switch" }, el("span", { class: "segmented" }, neuronsButton, matrixButton), layerButtons), el("div", { class: "inside" }, views, neuronInfo));
const matrix = new MatrixView();
matrix.onRow((row) => showNeuron({ layer: matrixLayer, index: row }));

const countPanel = panel(main, "Counting the knobs");
countPanel.append(
  el("p", { class: "muted" }, "Each neuron of layer l has one weight per neuron of layer l−1 and one bias. Type any layer sizes:"),
  paramCounter(),
);

// ---- state: the current network, its weights, the latest reading ----

let info: ModelInfo | null = null;
let weights: LayerWeights[] = [];
let network: NetworkView | null = null;
let reading: Reading | null = null;
let view: "neurons" | "matrix" = "neurons";
let matrixLayer = 1;
let shown: NeuronRef | null = null;

async function onNetwork(next: ModelInfo): Promise<void> {
  info = next;
  weights = (await engine().call("lesson1.weights", {})).layers;
  network = new NetworkView(next.sizes, { outputLabels: DIGITS });
  network.setWeights(weights);
  // the pointer marks a neuron while it is on it; the panel keeps the last one shown
  network.onHover((n) => {
    network?.highlight(n && n.layer > 0 ? n : null);
    if (n && n.layer > 0) showNeuron(n);
  });
  layerButtons.replaceChildren(
    ...weights.map((_, i) =>
      button(`layer ${i + 1}`, () => {
        matrixLayer = i + 1;
        drawMatrix();
      }, `matrix-layer-${i + 1}`),
    ),
  );
  matrixLayer = 1;
  setView(view);
  refresh(); // also redraws the shown neuron with the new weights
}

function setView(next: "neurons" | "matrix"): void {
  view = next;
  neuronsButton.setAttribute("aria-pressed", String(view === "neurons"));
  matrixButton.setAttribute("aria-pressed", String(view === "matrix"));
  layerButtons.hidden = view !== "matrix";
  views.replaceChildren(view === "neurons" ? (network?.element ?? "") : matrix.element);
  if (view === "matrix") {
    drawMatrix();
    matrix.play();
  } else matrix.stop();
}

// ---- reading the drawing: the newest drawing only, one request at a time ----

const readDrawing = latestOnly(
  drawPanel,
  async ({ pixels }: { revision: number; pixels: Float32Array }) => {
    const prep = await engine().call("lesson1.preprocess", { pixels, width: drawing.size, height: drawing.size }, [pixels.buffer]);
    return { prep, reading: prep ? await engine().call("read", { pixels: prep.centered28.pixels }) : null };
  },
  ({ prep, reading: r }, { revision }) => {
    reading = r;
    steps.show(drawing.element, prep);
    network?.show(r?.a ?? null);
    outputs.element.hidden = r === null;
    if (r) outputs.set(r.a[r.a.length - 1], r.prediction);
    prediction.textContent = r ? DIGITS[r.prediction] : "";
    prediction.dataset.revision = String(revision); // which drawing this answer is for (tests wait on it)
    if (view === "matrix") drawMatrix();
    if (shown) showNeuron(shown);
  },
);

function refresh(): void {
  if (info) readDrawing({ revision: drawing.revision, pixels: drawing.pixels() });
}
drawing.onChange(refresh);

// ---- the matrix view and the hovered neuron ----

function drawMatrix(): void {
  const l = matrixLayer;
  const w = weights[l - 1];
  if (!info || !w) return;
  for (const b of layerButtons.children) b.setAttribute("aria-pressed", String(b.textContent === `layer ${l}`));
  const empty = (n: number) => new Float32Array(n);
  matrix.show({
    layer: l,
    weights: w.weights,
    rows: w.rows,
    cols: w.cols,
    biases: w.biases,
    input: reading?.a[l - 1] ?? empty(w.cols),
    z: reading?.z[l - 1] ?? empty(w.rows),
    output: reading?.a[l] ?? empty(w.rows),
    activation: l === weights.length ? info.output : info.activation,
  });
}

/** A neuron's incoming weights as signed bars, one per neuron of the layer before. */
function incomingBars(values: Float32Array): HTMLElement {
  const bars = new SignedBars({ labels: Array.from(values, (_, k) => String(k)), testId: "weight-bars", half: 90, format: (v) => v.toFixed(2) });
  bars.update(values);
  return bars.element;
}

/**
 * Shows neuron `n`'s incoming weights. Layer 1: its 784 weights as a 28×28 tile. Deeper layers: its
 * weights as bars, and as a picture the previous layer's pixel tiles summed with those weights
 * (W⁽ˡ⁾ ⋯ W⁽¹⁾, computed in the worker; σ and the biases left out, so only a rough picture).
 */
function showNeuron(n: NeuronRef): void {
  const w = weights[n.layer - 1];
  if (!w || n.index >= w.rows) {
    // a neuron the new network does not have
    shown = null;
    neuronInfo.replaceChildren(hoverHint());
    return;
  }
  shown = n;
  const pattern = w.pixelPatterns.subarray(n.index * 784, (n.index + 1) * 784);
  const tile = drawTile(document.createElement("canvas"), pattern, 28, 28, "diverging");
  tile.dataset.testid = "weight-tile";
  tile.className += " weight-tile";
  const a = reading?.a[n.layer][n.index];
  const facts = el("p", { class: "num" }, `bias b = ${w.biases[n.index].toFixed(3)}`, a === undefined ? "" : `, activation now a = ${a.toFixed(3)}`);
  const title = el("h3", {}, `layer ${n.layer}, neuron ${n.index}`);
  if (n.layer === 1) {
    neuronInfo.replaceChildren(title, el("p", { class: "muted" }, "its 784 incoming weights as a 28×28 picture: green pixels push it on, red ones off"), tile, facts);
  } else {
    const incoming = w.weights.subarray(n.index * w.cols, (n.index + 1) * w.cols);
    neuronInfo.replaceChildren(
      title,
      el("p", { class: "muted" }, `its ${w.cols} incoming weights, one per neuron of layer ${n.layer - 1}:`),
      incomingBars(incoming),
      el("p", { class: "muted" }, `the layer-${n.layer - 1} pictures summed with these weights (σ and biases left out: a rough picture of what it looks for):`),
      tile,
      facts,
    );
  }
  neuronInfo.dataset.layer = String(n.layer);
  neuronInfo.dataset.index = String(n.index);
}

picker.ready.then(onNetwork, () => undefined); // a failure is shown in the picker's line
picker.onChange((next) => void onNetwork(next));
