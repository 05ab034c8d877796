// Lesson 4 — backpropagation calculus: the one-neuron-per-layer chain as a computation graph with every
// factor live as you drag w, b and the input; a "nudge w by ε" check of the chain rule against a finite
// difference; the same for any weight of the real network, with the matrix form beside it. Every number
// comes from the engine's autograd and forward passes in the worker.

import "./lesson4.css";
import { ComputationGraph, type GraphEdge, type GraphNode } from "../components/comp-graph.js";
import { button, panel, slider } from "../components/controls.js";
import { LabelledStrip } from "../components/heat-strip.js";
import { latestOnly, showError } from "../components/latest-only.js";
import { NetworkPicker } from "../components/network-picker.js";
import { stepper } from "../components/stepper.js";
import { engine } from "../engine/client.js";
import type { ModelInfo } from "../engine/methods/core.js";
import type { ChainRule, ToyChain, WeightChain } from "../engine/methods/backprop.js";
import { el, LESSONS, shell } from "../shell.js";

const lesson = LESSONS[3];
const main = shell(
  lesson.number,
  lesson.title,
  "The chain rule, live: drag the weights, biases and the input of a tiny network and watch every factor of ∂C/∂w change, then check the product against what actually happens to the cost when w is nudged. The same works for any weight of the real digit network.",
);

const SUPERSCRIPT: Record<string, string> = { "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", l: "ˡ", L: "ᴸ", "−": "⁻" };
/** A layer index as the lessons write it: sup(2) = "⁽²⁾", sup("l−1") = "⁽ˡ⁻¹⁾". */
const sup = (n: number | string) => `⁽${[...String(n)].map((c) => SUPERSCRIPT[c] ?? c).join("")}⁾`;
const f4 = (v: number) => (Math.abs(v) > 0 && Math.abs(v) < 1e-3 ? v.toExponential(3) : v.toFixed(4));

/** A labelled number that tests can read exactly from `data-value`. */
function readout(testId: string): { element: HTMLElement; set(v: number): void } {
  const element = el("span", { class: "num", "data-testid": testId }, "…");
  return {
    element,
    set(v: number) {
      element.textContent = f4(v);
      element.dataset.value = String(v);
    },
  };
}

/** The four rows of a chain-rule check: factors, their product, autograd and the central difference. */
function chainTable(prefix: string): { element: HTMLElement; show(c: ChainRule, names: { w: string; z: string; a: string; prev: string }): void } {
  const cells = Object.fromEntries(["dz-dw", "da-dz", "dC-da", "product", "autograd", "fd", "diff"].map((k) => [k, readout(`${prefix}-${k}`)]));
  const labels = Object.fromEntries(["dz-dw", "da-dz", "dC-da", "fd"].map((k) => [k, el("th", {})]));
  const row = (head: HTMLElement | string, key: string, note = "") => el("tr", {}, typeof head === "string" ? el("th", {}, head) : head, el("td", {}, cells[key].element), el("td", { class: "muted" }, note));
  const element = el(
    "table",
    { class: "chain-table" },
    row(labels["dz-dw"], "dz-dw", "the activation feeding the weight"),
    row(labels["da-dz"], "da-dz", "the slope of the sigmoid at z"),
    row(labels["dC-da"], "dC-da", "how sensitive the cost is to this neuron (autograd)"),
    row("product of the three", "product"),
    row("∂C/∂w by autograd", "autograd", "what training uses"),
    row(labels.fd, "fd", "nudge w by ±ε, run the network, see what the cost does"),
    row("product − finite difference", "diff"),
  );
  return {
    element,
    show(c, n) {
      labels["dz-dw"].textContent = `∂${n.z}/∂${n.w} = ${n.prev}`;
      labels["da-dz"].textContent = `∂${n.a}/∂${n.z} = σ′(${n.z})`;
      labels["dC-da"].textContent = `∂C/∂${n.a}`;
      labels.fd.textContent = `(C(w+ε) − C(w−ε)) / 2ε, ε = ${c.epsilon.toPrecision(2)}`;
      cells["dz-dw"].set(c.dz_dw);
      cells["da-dz"].set(c.da_dz);
      cells["dC-da"].set(c.dC_da);
      cells.product.set(c.product);
      cells.autograd.set(c.autograd);
      cells.fd.set(c.finite_difference);
      cells.diff.set(c.product - c.finite_difference);
      element.dataset.epsilon = String(c.epsilon);
    },
  };
}

// 1. the toy chain
const toyPanel = panel(main, "1. One neuron per layer: the chain rule on a computation graph", "toy-panel");
const LAYERS = 3;
const start = { input: 0.8, w: [1.5, -2, 2.5], b: [0.2, 1, -1] };
const toySliders = {
  input: slider("a⁽⁰⁾ (input)", { min: 0, max: 1, step: 0.01, value: start.input, format: (v) => v.toFixed(2), testId: "toy-input" }, () => updateToy()),
  w: start.w.map((v, i) => slider(`w${sup(i + 1)}`, { min: -4, max: 4, step: 0.01, value: v, format: (x) => x.toFixed(2), testId: `toy-w${i + 1}` }, () => updateToy())),
  b: start.b.map((v, i) => slider(`b${sup(i + 1)}`, { min: -4, max: 4, step: 0.01, value: v, format: (x) => x.toFixed(2), testId: `toy-b${i + 1}` }, () => updateToy())),
};
const studied = el("select", { "data-testid": "toy-layer" }, ...Array.from({ length: LAYERS }, (_, i) => el("option", { value: String(LAYERS - i) }, `w${sup(LAYERS - i)}`)));
const toyEpsilon = slider("ε", { min: 1e-4, max: 0.5, step: 0, value: 1e-3, log: true, format: (v) => v.toPrecision(2), testId: "toy-epsilon" }, () => updateToy());
const graph = new ComputationGraph(132, 78, { w: 74, h: 40 });
const toyCost = el("p", { class: "num", "data-testid": "toy-cost" }, "…");
const toyTable = chainTable("toy");
toyPanel.append(
  el("p", { class: "muted" }, `a${sup("l")} = σ(w${sup("l")} a${sup("l−1")} + b${sup("l")}), three layers, desired output y = 1, cost C = ½(a${sup(LAYERS)} − y)² (nnlab's quadratic cost carries the ½, so ∂C/∂a${sup(LAYERS)} = a${sup(LAYERS)} − y). The marked path is the chain for the weight you study; the arrows carry the local derivatives.`),
  el("div", { class: "toy-sliders" }, toySliders.input.element, ...toySliders.w.map((s, i) => el("span", { class: "pair" }, s.element, toySliders.b[i].element))),
  el("div", { class: "graph-scroll" }, graph.element),
  toyCost,
  el("div", { class: "row" }, el("div", {}, el("label", {}, "study ∂C/∂", studied), el("div", { class: "table-scroll" }, toyTable.element)), el("div", { class: "nudge" }, el("h3", {}, "Nudge w by ε"), toyEpsilon.element, el("p", { class: "muted" }, "Small ε: the finite difference matches the chain rule to float32 precision (too small, and rounding of the cost takes over). Large ε: the secant through C(w−ε) and C(w+ε) leaves the tangent as the cost curves, and they part by about C‴(w)·ε²/6."))),
);
studied.addEventListener("change", () => updateToy());

function toyParams() {
  return { input: toySliders.input.value(), w: toySliders.w.map((s) => s.value()), b: toySliders.b.map((s) => s.value()), epsilon: toyEpsilon.value() };
}

/** Nodes and edges of the chain a⁽⁰⁾ → z⁽¹⁾ → a⁽¹⁾ → … → C with the path of w⁽ˡ⁾ marked. */
function toyGraph(t: ToyChain, l: number): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [{ id: "a0", col: 0, row: 1, label: `a${sup(0)}`, value: t.input.toFixed(3) }];
  const edges: GraphEdge[] = [];
  t.layers.forEach((layer, i) => {
    const n = i + 1;
    const onPath = n >= l;
    const zc = 2 * i + 1;
    nodes.push(
      { id: `w${n}`, col: zc, row: 0, label: `w${sup(n)}`, value: layer.w.toFixed(3), marked: n === l },
      { id: `b${n}`, col: zc, row: 2, label: `b${sup(n)}`, value: layer.b.toFixed(3) },
      { id: `z${n}`, col: zc, row: 1, label: `z${sup(n)}`, value: layer.z.toFixed(3), marked: onPath },
      { id: `a${n}`, col: zc + 1, row: 1, label: `a${sup(n)}`, value: layer.a.toFixed(3), marked: onPath },
    );
    edges.push(
      { from: `a${n - 1}`, to: `z${n}`, label: `w ${layer.w.toFixed(2)}`, marked: n > l },
      { from: `w${n}`, to: `z${n}`, label: `a${sup(n - 1)} ${layer.chain.dz_dw.toFixed(3)}`, marked: n === l },
      { from: `b${n}`, to: `z${n}`, label: "1" },
      { from: `z${n}`, to: `a${n}`, label: `σ′ ${layer.chain.da_dz.toFixed(2)}`, marked: onPath },
    );
  });
  const last = t.layers[t.layers.length - 1];
  nodes.push({ id: "C", col: 2 * t.layers.length + 1, row: 1, label: "C", value: t.cost.toFixed(4), marked: true }, { id: "y", col: 2 * t.layers.length + 1, row: 2, label: "y", value: t.target.toFixed(1) });
  edges.push({ from: `a${t.layers.length}`, to: "C", label: `a−y ${last.chain.dC_da.toFixed(2)}`, marked: true }, { from: "y", to: "C", label: "" });
  return { nodes, edges };
}

const requestToy = latestOnly(
  toyPanel,
  (p: ReturnType<typeof toyParams>) => engine().call("toyChain", p),
  (t, p) => {
    const l = Number(studied.value);
    const { nodes, edges } = toyGraph(t, l);
    graph.draw(nodes, edges);
    toyCost.textContent = `C = ½(a${sup(LAYERS)} − y)² = ${t.cost.toFixed(6)}`;
    toyTable.show(t.layers[l - 1].chain, { w: `w${sup(l)}`, z: `z${sup(l)}`, a: `a${sup(l)}`, prev: `a${sup(l - 1)}` });
    toyPanel.dataset.w = p.w.join(",");
    toyPanel.dataset.input = String(p.input);
    toyPanel.dataset.layer = String(l);
  },
);

function updateToy(): void {
  requestToy(toyParams());
}

// the toy needs no trained network: ask for it before the network starts training in the worker
updateToy();

// 2. any weight of the real network
const netPanel = panel(main, "2. Any weight of the real network", "net-panel");
const picker = new NetworkPicker({ onRequest: true }); // the toy above needs no network: keep the worker free for it
let sizes = [784, 16, 16, 10];
const choice = { index: 0, layer: 3, j: -1, k: -1 };
const imageIndex = stepper("training image", { min: 0, max: 59_999, value: 0, testId: "net-image" }, (i) => ((choice.index = i), updateNet()));
const layerSelect = el("select", { "data-testid": "net-layer" });
const jk = el("span", { class: "jk" });
const netEpsilon = slider("ε", { min: 1e-4, max: 0.3, step: 0, value: 1e-2, log: true, format: (v) => v.toPrecision(2), testId: "net-epsilon" }, () => updateNet());
const netInfo = el("p", { class: "num", "data-testid": "net-info" }, "Train the network (or load a run) to take its weights apart.");
const netTable = chainTable("net");
const matrix = el("div", { class: "matrix", "data-testid": "matrix" });
netPanel.append(
  picker.element,
  el("div", { class: "row" }, imageIndex.element, el("label", {}, "layer ", layerSelect), jk, button("steepest weight", () => ((choice.j = -1), (choice.k = -1), updateNet()), "net-steepest")),
  netInfo,
  el("div", { class: "row" }, el("div", { class: "table-scroll" }, netTable.element, netEpsilon.element), el("div", {}, el("h3", {}, "The matrix form, for this image"), matrix)),
);
layerSelect.addEventListener("change", () => {
  choice.layer = Number(layerSelect.value);
  choice.j = -1;
  choice.k = -1;
  updateNet();
});

/** (Re)builds the j and k sliders for the chosen layer's weight matrix (n_l rows, n_{l−1} columns). */
function weightSliders(): void {
  const l = choice.layer;
  const jSlider = slider(`row j (neuron of layer ${l})`, { min: 0, max: sizes[l] - 1, step: 1, value: choice.j, testId: "net-j" }, (v) => ((choice.j = v), updateNet()));
  const kSlider = slider(`column k (neuron of layer ${l - 1})`, { min: 0, max: sizes[l - 1] - 1, step: 1, value: choice.k, testId: "net-k" }, (v) => ((choice.k = v), updateNet()));
  jk.replaceChildren(jSlider.element, kSlider.element);
}

function showMatrix(r: WeightChain): void {
  const L = r.matrix.length;
  const rows: HTMLElement[] = [];
  for (const m of [...r.matrix].reverse()) {
    // every strip the same width, with indices and its colour scale
    const strip = (values: number[], id: string) => {
      const s = new LabelledStrip(values.length, 240, `${id}-${m.layer}`);
      s.update(values);
      return s.element;
    };
    const incoming = m.layer === L ? `∇ₐC = a${sup(L)} − y` : `(W${sup(m.layer + 1)})ᵀ δ${sup(m.layer + 1)}`;
    rows.push(
      el("div", { class: "matrix-layer", "data-layer": String(m.layer) },
        el("h4", {}, `layer ${m.layer}: δ${sup(m.layer)} = ${incoming} ⊙ σ′(z${sup(m.layer)})`),
        el("div", { class: "strips" }, el("span", { class: "strip-name" }, incoming), strip(m.incoming, "incoming"), el("span", { class: "strip-name" }, `σ′(z${sup(m.layer)})`), strip(m.da_dz, "sigma-prime"), el("span", { class: "strip-name" }, `δ${sup(m.layer)}`), strip(m.delta, "delta")),
        el("p", { class: "muted" }, `max |δ${sup(m.layer)} − autograd's ∂C/∂z| = ${m.delta_error.toExponential(1)}; max |δ${sup(m.layer)}a${sup(m.layer - 1)}ᵀ − autograd's ∂C/∂W${sup(m.layer)}| = ${m.weight_grad_error.toExponential(1)} (largest entry ${m.weight_grad_max.toExponential(2)})`),
      ),
    );
  }
  matrix.replaceChildren(...rows);
  matrix.dataset.worstWeightError = String(Math.max(...r.matrix.map((m) => m.weight_grad_error)));
}

const requestNet = latestOnly(
  netPanel,
  (c: typeof choice & { epsilon: number }) => engine().call("weightChain", c),
  (r, asked) => {
    const c = r.chain;
    // The worker picks j and k only when asked for the steepest weight; then the sliders move to its
    // choice, unless the learner has moved on since. Answers to the sliders' own requests never rebuild
    // them: an older answer arriving mid-drag would take the focus and drop key presses.
    const picked = (asked.j < 0 || asked.k < 0) && choice.layer === asked.layer && choice.j === asked.j && choice.k === asked.k;
    if (picked) {
      choice.j = c.j;
      choice.k = c.k;
    }
    if (picked || !jk.childElementCount) weightSliders();
    netInfo.textContent = `image ${r.index} (a ${r.label}), cost C = ${r.cost.toFixed(5)}; weight w${sup(c.layer)}[${c.j}][${c.k}] = ${c.weight.toFixed(4)}`;
    netTable.show(c, { w: `w${sup(c.layer)}ⱼₖ`, z: `z${sup(c.layer)}ⱼ`, a: `a${sup(c.layer)}ⱼ`, prev: `a${sup(c.layer - 1)}ₖ` });
    netPanel.dataset.weight = `${c.layer},${c.j},${c.k}`;
    netPanel.dataset.index = String(r.index);
    showMatrix(r);
  },
);

function updateNet(): void {
  requestNet({ ...choice, epsilon: netEpsilon.value() });
}

/** Starts on the new network's last layer, at its steepest weight. */
function useNetwork(info: ModelInfo): void {
  sizes = info.sizes;
  layerSelect.replaceChildren(...sizes.slice(1).map((_, i) => el("option", { value: String(i + 1) }, `${i + 1}${i === sizes.length - 2 ? " (output)" : ""}`)));
  Object.assign(choice, { layer: sizes.length - 1, j: -1, k: -1 });
  layerSelect.value = String(choice.layer);
  updateNet();
}

picker.ready.then(useNetwork, (e) => showError(netPanel, e));
picker.onChange(useNetwork);
