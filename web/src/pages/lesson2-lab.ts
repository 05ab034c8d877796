// Lesson 2's analysis panel: the claims `nnlab lab` tests, computed by the worker on the network the page
// trains (tiles, noise, imagine) or on small nets it trains for the purpose (shuffled labels, none class).

import { Bars, DIGITS } from "../components/bars.js";
import { LineChart } from "../components/chart.js";
import { button } from "../components/controls.js";
import { tile } from "../components/tile.js";
import { engine } from "../engine/client.js";
import { el } from "../shell.js";

const pct = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;

/** A titled block of the panel with its explanation, its controls and the place its result goes. */
function block(parent: HTMLElement, title: string, text: string, controls: HTMLElement[], testId: string): HTMLElement {
  const out = el("div", { class: "lab-result", "data-testid": testId });
  parent.append(el("div", { class: "lab-block" }, el("h3", {}, title), el("p", { class: "muted" }, text), el("div", { class: "row controls" }, ...controls), out));
  return out;
}

/** Runs a button's job with the button disabled meanwhile; errors show in `out`. */
function busy(b: HTMLButtonElement, out: HTMLElement, job: () => Promise<void>): void {
  b.disabled = true;
  job()
    .catch((e: Error) => out.replaceChildren(el("p", { class: "error" }, e.message)))
    .finally(() => (b.disabled = false));
}

function tilesBlock(parent: HTMLElement): void {
  const b = button("Show the first layer's weights", () => busy(b, out, run), "tiles-run");
  const out = block(parent, "Hidden-layer weights: edges?", "Each of the 16 first-layer neurons' 784 incoming weights drawn as a 28×28 tile (green positive, red negative). The lesson hoped for edge detectors; the lab measures smoothness (correlation of each weight with its neighbours, over the pixels digits use): about 0 for random weights, near 1 for smooth strokes.", [b], "tiles");
  async function run(): Promise<void> {
    const r = await engine().call("lab.tiles", {});
    out.dataset.smoothness = String(r.current.smoothness);
    out.replaceChildren(
      el("div", { class: "tiles" }, ...Array.from({ length: r.neurons }, (_, j) => tile(r.tiles.subarray(j * 784, (j + 1) * 784), 28, 28, "diverging", 64))),
      el("p", {}, `smoothness now ${r.current.smoothness.toFixed(3)} vs ${r.untrained.smoothness.toFixed(3)} untrained; the tiles still correlate ${r.current.correlation_with_init?.toFixed(3)} with their random start — almost random, as the lesson says.`),
    );
  }
}

function noiseBlock(parent: HTMLElement): void {
  let seed = 0;
  const b = button("Feed noise", () => busy(b, out, run), "feed-noise");
  const out = block(parent, "Feed it noise", "A picture of pure noise is not a digit, yet the network was only ever asked which digit: it answers anyway, often confidently.", [b], "noise");
  async function run(): Promise<void> {
    const r = await engine().call("lab.noise", { seed: ++seed });
    out.replaceChildren(
      el("div", { class: "row" }, el("figure", {}, tile(r.pixels, 28, 28, "ink", 112), el("figcaption", {}, `answer: ${r.answer}`)), new Bars({ labels: DIGITS, testId: "noise-outputs" }).set(r.outputs, r.answer).element),
      el("p", {}, `Of 1,000 noise images, ${pct(r.noise.confident_share)} get a top output above 0.9 (test digits: ${pct(r.digits.confident_share)}); ${pct(r.noise.any_above_half)} have some output above 0.5. Most often answered: ${r.noise.digit_shares.indexOf(Math.max(...r.noise.digit_shares))}.`),
    );
  }
}

function imagineBlock(parent: HTMLElement): void {
  const digit = el("select", { "data-testid": "imagine-digit" });
  for (let d = 0; d < 10; d++) digit.append(el("option", { value: String(d) }, String(d)));
  const penalised = el("input", { type: "checkbox" });
  const b = button("Imagine", () => busy(b, out, run), "imagine-run");
  const out = block(
    parent,
    "Imagine a digit",
    "Gradient ascent on the input: start from a grey picture and change the pixels to raise the output for the chosen digit (100 steps). The network becomes sure — but the picture looks like no digit. With the penalty, pixels stay in [0, 1] and the picture smooth.",
    [el("label", {}, "digit ", digit), el("label", {}, penalised, " penalise range and roughness"), b],
    "imagine",
  );
  async function run(): Promise<void> {
    const r = await engine().call("lab.imagine", { digit: Number(digit.value), steps: 100, penalised: penalised.checked });
    Object.assign(out.dataset, { digit: digit.value, answer: String(r.answer), confidence: String(r.confidence) });
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of r.pixels) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    out.replaceChildren(
      el("div", { class: "row" }, el("figure", {}, tile(r.pixels.map((v) => (v - lo) / (hi - lo || 1)), 28, 28, "ink", 112), el("figcaption", {}, `pixels ${lo.toFixed(2)} … ${hi.toFixed(2)}, shown black to white`)), new Bars({ labels: DIGITS }).set(r.outputs, r.answer).element),
      el("p", {}, `The network answers ${r.answer}, with output ${r.confidence.toFixed(3)} for ${digit.value}.`),
    );
  }
}

function randomLabelsBlock(parent: HTMLElement): void {
  const series = ["true labels", "half shuffled", "all shuffled"].map((label, i) => ({ label, color: ["--pos", "--series-3", "--neg"][i] }));
  const waiting = "Three curves, one per net, appear here epoch by epoch once you train them.";
  const trainChart = new LineChart({ title: "Training accuracy (labels trained on)", xLabel: "epoch", series, yRange: [0, 1], xEmpty: [0, 30], width: 460, height: 240, placeholder: waiting });
  const testChart = new LineChart({ title: "Test accuracy (true labels)", xLabel: "epoch", series, yRange: [0, 1], xEmpty: [0, 30], width: 460, height: 240, placeholder: waiting });
  const b = button("Train three small nets", () => busy(b, out, run), "labels-run");
  const out = block(
    parent,
    "Shuffled labels",
    "Zhang et al. (2017): a network with enough weights learns even labels that carry no information, only more slowly — and then knows nothing about the test images. Three 784-100-10 nets train on the same 300 images with 0%, 50% and 100% of the labels shuffled (30 epochs).",
    [b],
    "random-labels",
  );
  out.append(el("div", { class: "row" }, trainChart.element, testChart.element));
  const note = el("p");
  out.append(note);
  engine().on("lab.labels", (p) => {
    trainChart.push(p.epoch, ...p.train);
    testChart.push(p.epoch, ...p.test);
    Object.assign(out.dataset, { epoch: String(p.epoch), train: p.train.join(","), test: p.test.join(",") });
  });
  async function run(): Promise<void> {
    trainChart.clear();
    testChart.clear();
    note.textContent = "training…";
    const r = await engine().call("lab.randomLabels", { images: 300, epochs: 30, seed: 1 });
    note.textContent = `${r.network}. After shuffling, ${r.stillTrue.map((s) => pct(s, 0)).join(" / ")} of the labels are still right by chance.`;
    out.dataset.done = "true";
  }
}

function noneClassBlock(parent: HTMLElement): void {
  const chart = new LineChart({
    title: "Digits right vs junk rejected",
    xLabel: "share of held-out junk rejected",
    yLabel: "digits accepted and right",
    series: [{ label: "10 classes + threshold" }, { label: "11th class: none", color: "--neg" }],
    yRange: [0, 1],
    width: 480,
    height: 260,
    placeholder: "Each net's trade-off curve appears here once both are trained (a minute or so).",
  });
  const b = button("Train both nets", () => busy(b, out, run), "none-class-run");
  const out = block(
    parent,
    "Would a “none of these” output help?",
    "A 10-class net can only reject junk by a threshold on its confidence. An 11-class net also learns a “none” output from junk images (noise, strokes, pieces of digits). Both are judged on scribbles, a kind of junk neither saw.",
    [b],
    "none-class",
  );
  const table = el("div");
  out.append(chart.element, table);
  engine().on("lab.progress", (p) => {
    if (p.job === "noneClass") table.textContent = `training: epoch ${p.done} of ${p.total}`;
  });
  async function run(): Promise<void> {
    const r = await engine().call("lab.noneClass", { seed: 1 });
    chart.set([r.rejection, ...r.nets.map((n) => n.accuracyAtRejection)]);
    out.dataset.areas = r.nets.map((n) => n.area).join(",");
    const kinds = Object.keys(r.nets[0].rejection_by_kind).filter((k) => k !== r.heldOut);
    table.replaceChildren(
      el("p", { class: "muted" }, r.network),
      el(
        "table",
        { class: "lab-table" },
        el("thead", {}, el("tr", {}, ...["net", "digit accuracy", "default rule", "digits right", `${r.heldOut} rejected`, "trade-off area", ...kinds.map((k) => `${k} rejected`)].map((h) => el("th", {}, h)))),
        el(
          "tbody",
          {},
          ...r.nets.map((n) =>
            el("tr", {}, ...[n.net, pct(n.digit_accuracy), n.default_rule, pct(n.default_digit_accuracy), pct(n.default_junk_rejection), n.area.toFixed(3), ...kinds.map((k) => pct(n.rejection_by_kind[k]))].map((c) => el("td", {}, c))),
          ),
        ),
      ),
    );
  }
}

/** Fills the lab panel. */
export function labPanel(section: HTMLElement): void {
  section.append(el("p", { class: "muted" }, "The network analysed in the first three parts is the one you train above: train it for an epoch or two first."));
  tilesBlock(section);
  noiseBlock(section);
  imagineBlock(section);
  randomLabelsBlock(section);
  noneClassBlock(section);
}
