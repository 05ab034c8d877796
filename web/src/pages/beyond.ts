// Beyond the series — lesson 1 names what it leaves out: convolutional networks, "good for image
// recognition". Draw a digit and follow it through the CNN preset of `nnlab train mnist --preset cnn`:
// each first-layer filter beside the feature map it makes, the second layer's maps and the kernels of the
// one you pick, the head's answer — beside the answer of lesson 1's MLP. The CNN comes from a CNN run the
// server lists, else it is trained in this page's worker on part of MNIST (kept in this browser after).

import "./beyond.css";
import { Bars, DIGITS } from "../components/bars.js";
import { panel } from "../components/controls.js";
import { DrawCanvas } from "../components/draw-canvas.js";
import { latestOnly } from "../components/latest-only.js";
import { NetworkPicker } from "../components/network-picker.js";
import { drawTile, maxAbs } from "../components/tile.js";
import { engine } from "../engine/client.js";
import type { CnnFilters, CnnInfo, CnnReading, FeatureMaps } from "../engine/methods/beyond.js";
import type { ModelInfo } from "../engine/methods/core.js";
import { BEYOND, el, shell } from "../shell.js";

const main = shell(
  null,
  BEYOND.title,
  "Lesson 1 names what it leaves out: convolutional networks, “good for image recognition”. Do they really do better, and why? Draw a digit and follow it through a small CNN, filter by filter and map by map, beside the answer of lesson 1's network.",
);

/** Training images of the CNN trained here (`?images=N` picks another number, 64–60,000). */
const IMAGES = (() => {
  const n = Number(new URLSearchParams(location.search).get("images"));
  return Number.isInteger(n) && n >= 64 && n <= 60_000 ? n : 20_000;
})();

// ---- where the two networks come from ----

const mlp = new NetworkPicker({});
const cnnLine = el("span", { class: "line" }, "waiting for the engine…");
const cnnStatus = el("div", { class: "network-picker", "data-testid": "cnn" }, el("span", { class: "tag" }, "CNN"), cnnLine);
mlp.element.prepend(el("span", { class: "tag" }, "MLP"));
main.append(el("div", { class: "nets" }, cnnStatus, mlp.element));

// ---- the drawing and the two answers ----

const drawing = new DrawCanvas();
const input = document.createElement("canvas");
input.className = "input28";
const cnnBars = new Bars({ labels: DIGITS, testId: "cnn-outputs" });
const mlpBars = new Bars({ labels: DIGITS, testId: "mlp-outputs" });
const cnnAnswer = el("strong", { class: "answer", "data-testid": "cnn-prediction" });
const mlpAnswer = el("strong", { class: "answer", "data-testid": "mlp-prediction" });
const drawPanel = panel(main, "Draw a digit", "draw-panel");
drawPanel.append(
  el(
    "div",
    { class: "row" },
    drawing.box(),
    el("div", { class: "input-box" }, el("h3", {}, "the 28×28 input"), input, el("p", { class: "muted" }, "MNIST's preprocessing, as in lesson 1")),
    el(
      "div",
      { class: "answers" },
      el("div", { class: "answer-box" }, el("h3", {}, "the CNN says ", cnnAnswer), cnnBars.element, el("p", { class: "muted" }, "softmax of its 10 outputs")),
      el("div", { class: "answer-box" }, el("h3", {}, "the MLP says ", mlpAnswer), mlpBars.element, el("p", { class: "muted" }, "lesson 1's net: its 10 sigmoid outputs")),
    ),
  ),
);

const layer1 = panel(main, "Layer 1: filters slide over the image", "layer1");
layer1.append(
  el(
    "p",
    { class: "muted" },
    "Each of the 16 filters (5×5 weights, green positive, red negative) is laid on every 5×5 patch of the image; where the patch looks like the filter the sum is large, and after ReLU its feature map lights up there. Learned, not designed: many answer to strokes of one direction — the “edges” lesson 2 hoped its hidden layer would find (",
    el("code", {}, "nnlab lab hidden-features --arch cnn"),
    " measures them).",
  ),
);
const maps1 = el("div", { class: "map-grid layer1-grid", "data-testid": "layer1-maps" });
layer1.append(maps1);

const layer2 = panel(main, "Layer 2: maps of maps", "layer2");
layer2.append(el("p", { class: "muted" }, "After 2×2 max-pooling (the largest of each 2×2 block, so 24×24 becomes 12×12), each of the 32 second-layer filters weighs all 16 pooled maps at once: it looks for combinations of strokes — corners, loops, crossings. Pick a map to see its 16 kernels."));
const maps2 = el("div", { class: "map-grid layer2-grid", "data-testid": "layer2-maps" });
const kernels = el("div", { class: "kernels", "data-testid": "layer2-kernels" });
layer2.append(el("div", { class: "layer2" }, maps2, kernels));

const headPanel = panel(main, "The head, and the two networks side by side", "head");
const comparison = el("div", { class: "comparison", "data-testid": "comparison" });
headPanel.append(
  el("p", { class: "muted" }, "Pooled once more to 32 maps of 4×4, the 512 numbers go through a dense head (512 → 128 → 10), the same kind of network as lesson 1's. The convolutions share each filter's 25 weights across all positions, so a stroke is recognised wherever it is — the MLP must learn each position separately."),
  comparison,
);

// ---- state ----

let cnn: CnnInfo | null = null;
let mlpInfo: ModelInfo | null = null;
let filters: CnnFilters | null = null;
let reading: CnnReading | null = null;
let picked = -1; // the layer-2 map whose kernels are shown (−1: the most active one)

/** A captioned canvas of one map (values scaled by `top`, ink white on black as MNIST's digits). */
function mapCanvas(values: ArrayLike<number>, side: number, top: number): HTMLCanvasElement {
  const scaled = Float32Array.from(values, (v) => (top > 0 ? v / top : 0));
  return drawTile(document.createElement("canvas"), scaled, side, side, "ink");
}

function mapOf(m: FeatureMaps, c: number): Float32Array {
  return m.data.subarray(c * m.side * m.side, (c + 1) * m.side * m.side);
}

function drawLayer1(): void {
  if (!filters || !reading) return;
  const f = filters.blocks[0];
  const m = reading.maps[0];
  const top = Math.max(...m.data);
  const scale = maxAbs(f.weights);
  const k2 = f.kernel * f.kernel;
  maps1.replaceChildren(
    ...Array.from({ length: m.channels }, (_, c) => {
      const filter = drawTile(document.createElement("canvas"), f.weights.subarray(c * f.in * k2, (c + 1) * f.in * k2), f.kernel, f.kernel, "diverging", scale);
      filter.className += " filter";
      const map = mapCanvas(mapOf(m, c), m.side, top);
      map.className += " map";
      return el("figure", { class: "map-card", "data-map": String(c) }, filter, map, el("figcaption", {}, `${c + 1}`));
    }),
  );
  maps1.dataset.maps = String(m.channels);
}

function drawLayer2(): void {
  if (!filters || !reading) return;
  const m = reading.maps[1];
  const top = Math.max(...m.data);
  const strength = (c: number) => mapOf(m, c).reduce((s, v) => s + v, 0);
  let strongest = 0;
  for (let c = 1; c < m.channels; c++) if (strength(c) > strength(strongest)) strongest = c;
  const chosen = picked >= 0 && picked < m.channels ? picked : strongest;
  maps2.replaceChildren(
    ...Array.from({ length: m.channels }, (_, c) => {
      const map = mapCanvas(mapOf(m, c), m.side, top);
      map.className += " map";
      const card = el("button", { class: "map-card", "data-map": String(c), "aria-pressed": String(c === chosen), title: `map ${c + 1}: show its kernels` }, map, el("span", { class: "cap" }, `${c + 1}`));
      card.addEventListener("click", () => {
        picked = c;
        drawLayer2();
      });
      return card;
    }),
  );
  maps2.dataset.maps = String(m.channels);
  const f = filters.blocks[1];
  const k2 = f.kernel * f.kernel;
  const w = f.weights.subarray(chosen * f.in * k2, (chosen + 1) * f.in * k2);
  const scale = maxAbs(w);
  kernels.replaceChildren(
    el("h3", {}, `map ${chosen + 1}'s ${f.in} kernels`),
    el("p", { class: "muted" }, `one 5×5 kernel per layer-1 map; map ${chosen + 1} is their sums over the pooled maps, plus a bias, through ReLU`),
    el("div", { class: "kernel-grid" }, ...Array.from({ length: f.in }, (_, i) => el("figure", {}, drawTile(document.createElement("canvas"), w.subarray(i * k2, (i + 1) * k2), f.kernel, f.kernel, "diverging", scale), el("figcaption", {}, `${i + 1}`)))),
  );
  kernels.dataset.map = String(chosen);
}

/** One network's card: its test accuracy large, then its size, shape and origin. */
function netCard(name: string, accuracy: number, parameters: number, shape: string, origin: string): HTMLElement {
  const pct = Number.isFinite(accuracy) ? `${(100 * accuracy).toFixed(1)}%` : "—";
  return el(
    "div",
    { class: "net-card", "data-net": name },
    el("h3", {}, name),
    el("p", { class: "big num" }, pct, el("span", { class: "muted" }, " of test digits right")),
    el("p", { class: "num" }, `${parameters.toLocaleString("en-US")} weights and biases`),
    el("p", { class: "muted" }, shape),
    el("p", { class: "muted" }, origin),
  );
}

function drawComparison(): void {
  if (!cnn) return;
  const blocks = cnn.blocks.map((b) => `${b.kernel}×${b.kernel} conv → ${b.channels} maps, ${b.pool}×${b.pool} pool`).join(", ");
  comparison.replaceChildren(
    el(
      "div",
      { class: "net-cards" },
      netCard("CNN", cnn.testAccuracy, cnn.parameters, `${blocks}; dense head ${cnn.head.join("-")}`, `${cnn.origin}; tested on the first ${cnn.testDigits.toLocaleString("en-US")} test digits`),
      ...(mlpInfo ? [netCard("MLP", mlpInfo.testAccuracy, mlpInfo.parameters, `${mlpInfo.sizes.join("-")}, ${mlpInfo.activation}`, `${mlpInfo.origin}; tested on all 10,000 test digits`)] : []),
    ),
    el("p", { class: "muted" }, "Trained on all 60,000 images (measured with the CLI): ", el("code", {}, "nnlab train mnist --preset cnn"), " reaches 99.22% after 4 epochs; lesson 1's MLP, ", el("code", {}, "nnlab train mnist"), ", 93.41% after 30."),
  );
}

// ---- reading the drawing: the newest drawing only ----

const readDrawing = latestOnly(
  drawPanel,
  async ({ pixels }: { revision: number; pixels: Float32Array }) => {
    const prep = await engine().call("lesson1.preprocess", { pixels, width: drawing.size, height: drawing.size }, [pixels.buffer]);
    if (!prep) return null;
    const x = prep.centered28.pixels;
    const [c, m] = await Promise.all([cnn ? engine().call("beyond.readCnn", { pixels: x }) : null, mlpInfo ? engine().call("read", { pixels: x }) : null]);
    return { x, cnn: c, mlp: m };
  },
  (r, { revision }) => {
    drawTile(input, r?.x ?? new Float32Array(784), 28, 28, "ink");
    reading = r?.cnn ?? null;
    cnnBars.element.hidden = !r?.cnn;
    mlpBars.element.hidden = !r?.mlp;
    if (r?.cnn) cnnBars.set(r.cnn.probabilities, r.cnn.prediction);
    if (r?.mlp) mlpBars.set(r.mlp.a[r.mlp.a.length - 1], r.mlp.prediction);
    cnnAnswer.textContent = r?.cnn ? DIGITS[r.cnn.prediction] : "–";
    mlpAnswer.textContent = r?.mlp ? DIGITS[r.mlp.prediction] : "–";
    cnnAnswer.dataset.revision = String(revision); // which drawing this answer is for (tests wait on it)
    for (const p of [layer1, layer2]) p.classList.toggle("empty", !reading);
    if (reading) {
      drawLayer1();
      drawLayer2();
    } else {
      maps1.replaceChildren(el("div", { class: "placeholder" }, "Draw a digit above: its 16 feature maps appear here."));
      maps2.replaceChildren(el("div", { class: "placeholder" }, "…and the 32 maps of the second layer here."));
      kernels.replaceChildren();
    }
  },
);

function refresh(): void {
  readDrawing({ revision: drawing.revision, pixels: drawing.pixels() });
}
drawing.onChange(refresh);
refresh();

// ---- getting the CNN: a CNN run from the server, else trained here ----

function showCnn(info: CnnInfo): void {
  cnn = info;
  cnnLine.textContent = `${info.blocks.map((b) => b.channels).join("-")} maps · ${(100 * info.testAccuracy).toFixed(1)}% of test digits right`;
  cnnLine.title = `${info.parameters.toLocaleString("en-US")} weights and biases; ${info.origin}; accuracy on the first ${info.testDigits.toLocaleString("en-US")} test digits`;
  cnnStatus.dataset.ready = "true";
}

async function loadOrTrainCnn(): Promise<CnnInfo> {
  const { runs } = await engine().call("listRuns", {}).catch(() => ({ runs: [] }));
  for (const r of runs) {
    try {
      return await engine().call("beyond.loadCnnRun", { name: r.name });
    } catch {
      /* not a CNN run: try the next */
    }
  }
  const stop = engine().on("train.progress", (p) => {
    if (!mlpInfo) return; // the MLP's own training (the picker shows it)
    const done = Math.round((100 * p.batch) / p.batches);
    cnnLine.textContent = `training here on ${IMAGES.toLocaleString("en-US")} images… ${done}% · ${(100 * p.runningAccuracy).toFixed(0)}% right so far`;
  });
  try {
    return await engine().call("beyond.trainCnn", { images: IMAGES });
  } finally {
    stop();
  }
}

async function start(): Promise<void> {
  // the worker answers one request at a time: the MLP (one quick epoch) first, then the CNN
  mlpInfo = await mlp.ready;
  drawComparison();
  cnnLine.textContent = "looking for a CNN run on the server…";
  showCnn(await loadOrTrainCnn());
  filters = await engine().call("beyond.filters", {});
  drawComparison();
  refresh();
}
start().catch((e: Error) => (cnnLine.textContent = `failed: ${e.message}`));
mlp.onChange((info) => {
  mlpInfo = info;
  drawComparison();
  refresh();
});
