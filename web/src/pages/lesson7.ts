// Lesson 7 — how MLPs might store facts: the AND-gate neuron built by hand (a row of W↑ asks "Michael AND
// Jordan?", a column of W↓ writes basketball), nearly perpendicular directions packed live in the worker
// with their angle histogram against the Welch bound, and the superposition toy across sparsities. The
// worker runs the library's facts modules; this page draws what it answers.

import "./lesson7.css";
import { Bars } from "../components/bars.js";
import { LineChart } from "../components/chart.js";
import { button, panel, slider } from "../components/controls.js";
import { latestOnly, showError } from "../components/latest-only.js";
import { SignedBars } from "../components/signed-bars.js";
import { engine } from "../engine/client.js";
import type { GateRow, PackLive, ToyView } from "../engine/methods/facts.js";
import { el, lesson, shell } from "../shell.js";
import { factsPanel } from "./lesson7-facts.js";
import { cssVar } from "../theme.js";

const info = lesson(7);
const main = shell(
  info.number,
  info.title,
  "Where could “Michael Jordan plays basketball” live inside a GPT? The lesson's answer: in an MLP block, one neuron's row of W↑ asks whether the residual vector holds Michael and Jordan, its column of W↓ adds the basketball direction. And because high-dimensional space has room for far more nearly perpendicular directions than dimensions, far more facts than neurons can share it. Every number below comes from nnlab's engine in a Web Worker.",
);

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : "–");
const f2 = (v: number) => (Object.is(Math.round(v * 100), -0) ? "0.00" : v.toFixed(2));
const deg = (v: number) => `${v.toFixed(1)}°`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

// ——— 1. the AND gate ———

const gatePanel = panel(main, "One neuron, one fact: Michael AND Jordan → basketball", "gate-panel");
gatePanel.append(
  el(
    "p",
    { class: "muted" },
    "The residual vector holds directions for the names it has seen (here five orthonormal ones in 12 dimensions). The neuron's row of W↑ is w_M·Michael + w_J·Jordan: its dot product with the residual vector, plus the bias b, is z, and the activation a = ReLU(z) (or GELU) is how much of its column of W↓ — the basketball direction — is added back. With weights 1, 1 and the bias −1, z is 1 only when both names are there: an AND gate. Move the sliders and watch the truth table.",
  ),
);
const activationButtons = (["relu", "gelu"] as const).map((a) => {
  const b = button(a === "relu" ? "ReLU" : "GELU", () => setActivation(a), `gate-activation-${a}`);
  b.setAttribute("aria-pressed", String(a === "relu"));
  return b;
});
let activation: "relu" | "gelu" = "relu";
const weightSlider = (label: string, value: number, testId: string) => slider(label, { min: -2, max: 2, step: 0.05, value, format: f2, testId }, () => refreshGate());
const wMichael = weightSlider("row · Michael w_M", 1, "gate-w-michael");
const wJordan = weightSlider("row · Jordan w_J", 1, "gate-w-jordan");
const bias = weightSlider("bias b", -1, "gate-bias");
const lessonValues = button(
  "The lesson's values",
  () => {
    wMichael.set(1);
    wJordan.set(1);
    bias.set(-1);
    refreshGate();
  },
  "gate-reset",
);
gatePanel.append(
  el("div", { class: "row controls" }, wMichael.element, wJordan.element, bias.element),
  el("div", { class: "row controls" }, el("span", { class: "segmented", role: "group", "aria-label": "activation function" }, ...activationButtons), lessonValues),
);

const INPUT_LABELS = ["neither (Barack)", "Michael only (Michael Phelps)", "Jordan only", "Michael Jordan"];
/** The same, short, for narrow screens. */
const SHORT_LABELS = ["neither", "Michael", "Jordan", "both"];
/** A table cell's text, long and short (CSS shows one by the screen's width). */
const twoWay = (long: string, short: string) => [el("span", { class: "long" }, long), el("span", { class: "short" }, short)];
const truthBody = el("tbody");
const truthRows = INPUT_LABELS.map((label, i) => {
  const cells = Array.from({ length: 5 }, () => el("td", { class: "num" }));
  const row = el("tr", { "data-testid": `gate-row-${i}`, tabindex: "0", title: "show this input in the picture below" }, el("th", { scope: "row" }, ...twoWay(label, SHORT_LABELS[i])), ...cells);
  row.addEventListener("click", () => pickStory(i));
  row.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") pickStory(i);
  });
  truthBody.append(row);
  return { row, cells };
});
const verdict = el("p", { class: "verdict", "data-testid": "gate-verdict" });
const truthTable = el(
  "table",
  { class: "truth-table" },
  el(
    "thead",
    {},
    el(
      "tr",
      {},
      ...[
        ["input", "input"],
        ["z = row·x + b", "z"],
        ["activation a", "a"],
        ["basketball added", "basketball"],
        ["written?", "written"],
        ["AND says", "AND"],
      ].map(([long, short]) => el("th", { scope: "col" }, ...twoWay(long, short))),
    ),
  ),
  truthBody,
);
const gateView = el("div", { class: "gate-view", "data-testid": "gate-table" }, el("div", { class: "table-scroll" }, truthTable), verdict);

// the residual-stream story for the chosen input
let story = 3;
const NAMES = ["Michael", "Jordan", "basketball", "Phelps", "Barack"];
const storyBars = {
  x: new SignedBars({ labels: NAMES, testId: "story-x", format: f2, half: 28 }),
  row: new SignedBars({ labels: NAMES, testId: "story-row", format: f2, half: 28 }),
  column: new SignedBars({ labels: NAMES, testId: "story-column", format: f2, half: 28 }),
  after: new SignedBars({ labels: NAMES, testId: "story-after", format: f2, half: 28 }),
};
const storyTitle = el("h3", {});
const storyZ = el("p", { class: "story-math num", "data-testid": "story-z" });
const card = (title: string, note: string, body: HTMLElement) => el("figure", { class: "story-card" }, el("figcaption", {}, el("strong", {}, title), el("span", { class: "muted" }, note)), body);
const storyView = el(
  "div",
  { class: "story", "data-testid": "gate-story" },
  card("residual vector x", "names seen so far", storyBars.x.element),
  el("span", { class: "story-op", "aria-hidden": "true" }, "·"),
  card("row of W↑", "asks: Michael AND Jordan?", storyBars.row.element),
  el("span", { class: "story-op", "aria-hidden": "true" }, "→"),
  card("the neuron", "z, then the activation", storyZ),
  el("span", { class: "story-op", "aria-hidden": "true" }, "×"),
  card("column of W↓", "writes: basketball", storyBars.column.element),
  el("span", { class: "story-op", "aria-hidden": "true" }, "⇒"),
  card("x + a · column", "after the MLP", storyBars.after.element),
);
gatePanel.append(gateView, storyTitle, storyView);

/** What the four written/not-written answers mean, in words. */
function describe(rows: GateRow[]): string {
  const fires = rows.map((r) => r.written);
  const key = fires.map((f) => (f ? "1" : "0")).join("");
  const known: Record<string, string> = {
    "0001": "Michael AND Jordan: basketball is written only when both names are there — the lesson's AND gate.",
    "0111": "Michael OR Jordan: one name is enough, so Michael Phelps gets basketball too.",
    "0000": "Never: the neuron stays silent for every input.",
    "1111": "Always: basketball for everyone, even with neither name.",
  };
  return known[key] ?? `Basketball is written for: ${rows.flatMap((r, i) => (r.written ? [INPUT_LABELS[i]] : [])).join(", ")}.`;
}

const showGate = latestOnly(
  gateView,
  (p: { michael: number; jordan: number; bias: number; activation: "relu" | "gelu"; story: number }) => engine().call("facts.gate", p),
  (r, p) => {
    r.rows.forEach((g, i) => {
      const { row, cells } = truthRows[i];
      cells[0].textContent = f2(g.z);
      cells[1].textContent = f2(g.neuron);
      cells[2].textContent = f2(g.basketball);
      cells[3].textContent = g.written ? "yes" : "no";
      cells[4].textContent = g.expected ? "yes" : "no";
      Object.assign(row.dataset, { z: String(g.z), neuron: String(g.neuron), basketball: String(g.basketball), written: String(g.written), expected: String(g.expected) });
      row.classList.toggle("fires", g.written);
      row.classList.toggle("wrong", g.written !== g.expected);
      row.setAttribute("aria-selected", String(i === p.story));
    });
    const right = r.rows.filter((g) => g.written === g.expected).length;
    verdict.textContent = `${describe(r.rows)} ${right} of 4 rows agree with AND (written: basketball added > ${r.writtenAbove}).`;
    Object.assign(gateView.dataset, { michael: String(p.michael), jordan: String(p.jordan), bias: String(p.bias), activation: p.activation, written: r.rows.map((g) => (g.written ? 1 : 0)).join(""), right: String(right) });
    const s = r.story;
    storyTitle.textContent = `The residual stream for “${INPUT_LABELS[p.story]}” (click a row of the table to change it)`;
    storyBars.x.update(s.x, 2);
    storyBars.row.update(s.row, 2);
    storyBars.column.update(s.column, 2);
    storyBars.after.update(s.after, 2);
    storyBars.after.mark((i) => NAMES[i] === "basketball");
    const act = p.activation === "relu" ? "ReLU" : "GELU";
    const read = s.z - p.bias; // row · x
    storyZ.replaceChildren(
      el("span", {}, "z = row · x + b"),
      el("span", {}, `= ${f2(read)} ${p.bias < 0 ? "−" : "+"} ${f2(Math.abs(p.bias))} = ${f2(s.z)}`),
      el("span", { class: "story-a" }, `a = ${act}(z) = ${f2(s.neuron)}`),
    );
    storyView.dataset.neuron = String(s.neuron);
  },
);
const refreshGate = () => showGate({ michael: wMichael.value(), jordan: wJordan.value(), bias: bias.value(), activation, story });
function setActivation(a: "relu" | "gelu"): void {
  activation = a;
  activationButtons.forEach((b, i) => b.setAttribute("aria-pressed", String(["relu", "gelu"][i] === a)));
  refreshGate();
}
function pickStory(i: number): void {
  story = i;
  refreshGate();
}

// ——— 2. nearly perpendicular directions ———

const packPanel = panel(main, "Room for more directions than dimensions", "pack-panel");
packPanel.append(
  el(
    "p",
    { class: "muted" },
    "In 3 dimensions only 3 directions can be perpendicular. Allow each pair to be nearly perpendicular — between, say, 89° and 91° — and the count grows exponentially with the dimension. Here k random unit vectors in n dimensions are nudged by gradient descent (Adam) on their pairwise cosines, live, and every pair's angle is counted. The lesson's penalty (“margin”: |cos| beyond 0.01) squeezes most pairs towards 90°; an exponential one (“exp”: e^(20|cos|)) chases the worst pairs. No packing can beat the Welch bound: some pair always lies at least as far from 90° as the dashed lines.",
  ),
);
const intFmt = (v: number) => String(Math.round(v));
const nSlider = slider("n dimensions", { min: 2, max: 200, step: 1, value: 50, log: true, format: intFmt, testId: "pack-n" }, () => resetPacking());
const kSlider = slider("k vectors", { min: 10, max: 3000, step: 1, value: 500, log: true, format: intFmt, testId: "pack-k" }, () => resetPacking());
let penalty: "margin" | "exp" = "exp";
const penaltyButtons = (["margin", "exp"] as const).map((p) => {
  const b = button(p === "margin" ? "margin (the lesson's)" : "exponential", () => setPenalty(p), `pack-penalty-${p}`);
  b.setAttribute("aria-pressed", String(p === penalty));
  return b;
});
const stepsSelect = el("select", { "data-testid": "pack-steps" });
for (const s of [100, 300, 1000, 3000]) stepsSelect.append(el("option", { value: String(s), ...(s === 300 ? { selected: "" } : {}) }, String(s)));
stepsSelect.addEventListener("change", () => resetPacking());
const packRun = button("Start", () => void packControl("run"), "pack-run");
packRun.classList.add("primary");
const packPause = button("Stop", () => void packControl("pause"), "pack-pause");
const packNew = button("New random vectors", () => resetPacking(true), "pack-reset");
const packStats = el("div", { class: "pack-stats", "data-testid": "pack-stats" });
const packReadout = { progress: el("span"), worst: el("span"), welch: el("span"), share: el("span"), speed: el("span", { class: "muted" }), error: el("span", { class: "error" }) };
packStats.append(...Object.values(packReadout));
// the Welch limits: the chart reads its marks on every draw, so showPacking updates them in place
const histogramMarks: { x: number; label: string }[] = [];
const histogram = new LineChart({
  title: "Angles between all pairs",
  xLabel: "angle between a pair (degrees)",
  yLabel: "share of pairs per 1°",
  series: [
    { label: "packed now", step: true },
    { label: "random unit vectors (the start)", color: "--series-3", step: true },
  ],
  width: 560,
  height: 280,
  xEmpty: [0, 180],
  xMarks: histogramMarks,
  placeholder: "Drawing random vectors…",
});
const worstChart = new LineChart({
  title: "The worst pair's angle",
  xLabel: "optimiser step",
  yLabel: "degrees",
  series: [{ label: "smallest angle of any pair" }, { label: "Welch limit", color: "--muted", dash: [6, 4] }],
  width: 440,
  height: 280,
  yRange: [0, 90],
  xEmpty: [0, 300],
  placeholder: "Press Start: the worst pair's angle climbs towards the Welch limit.",
});
packPanel.append(
  el("div", { class: "row controls" }, nSlider.element, kSlider.element, el("label", {}, "steps ", stepsSelect)),
  el("div", { class: "row controls" }, el("span", { class: "segmented", role: "group", "aria-label": "penalty" }, ...penaltyButtons), packRun, packPause, packNew),
  packStats,
  el("div", { class: "row charts" }, histogram.element, worstChart.element),
  el("p", { class: "muted" }, "The lesson's own setting, 10,000 vectors in 100 dimensions (50 million pairs), is more than a page should wait for: ", el("code", {}, "nnlab facts orthogonal"), " packs it with both penalties, and measures how many vectors fit in a band as n grows."),
);

/** The histogram's x range: the bins either set uses, and both Welch limits, with a little margin. */
function histogramColumns(l: PackLive): number[][] {
  const used = (h: number[]) => [h.findIndex((v) => v > 0), h.length - 1 - [...h].reverse().findIndex((v) => v > 0)];
  const [a0, a1] = used(l.histogram);
  const [b0, b1] = used(l.randomHistogram);
  const lo = Math.max(0, Math.min(a0, b0, Math.floor(l.welchAngle)) - 2);
  const hi = Math.min(180, Math.max(a1 + 1, b1 + 1, Math.ceil(180 - l.welchAngle)) + 2);
  const xs: number[] = [];
  const now: number[] = [];
  const start: number[] = [];
  for (let b = lo; b <= hi; b++) {
    xs.push(b);
    now.push(b < 180 ? l.histogram[b] : 0);
    start.push(b < 180 ? l.randomHistogram[b] : 0);
  }
  return [xs, now, start];
}

let lastStep = -1;
/** The random start's worst angle, drawn with the first step (one point alone draws no line). */
let startPoint: [number, number] | null = null;
function showPacking(l: PackLive): void {
  histogramMarks.splice(0, histogramMarks.length, { x: l.welchAngle, label: "Welch limit" }, { x: 180 - l.welchAngle, label: "" });
  histogram.set(histogramColumns(l));
  if (l.step !== lastStep) {
    if (l.step < lastStep || lastStep < 0) worstChart.clear();
    if (l.step === 0) startPoint = [l.minAngle, l.welchAngle];
    else {
      if (startPoint) worstChart.push(0, ...startPoint);
      startPoint = null;
      worstChart.push(l.step, l.minAngle, l.welchAngle);
    }
    lastStep = l.step;
  }
  Object.assign(packStats.dataset, {
    state: l.state,
    step: String(l.step),
    steps: String(l.steps),
    n: String(l.n),
    k: String(l.k),
    penalty: l.penalty,
    minAngle: String(l.minAngle),
    maxAngle: String(l.maxAngle),
    welch: String(l.welchAngle),
    share: String(l.shareWithin1deg),
    randomMinAngle: String(l.randomMinAngle),
  });
  const stateWord = l.state === "running" ? "packing" : l.state === "done" ? "done" : l.step === 0 ? "random start" : "stopped";
  packReadout.progress.textContent = `${stateWord} · step ${l.step} of ${l.steps} · ${l.k.toLocaleString("en-US")} vectors in ${l.n} dimensions`;
  packReadout.worst.textContent = `worst pair ${deg(l.minAngle)} / ${deg(l.maxAngle)} (random start ${deg(l.randomMinAngle)})`;
  packReadout.welch.textContent = `Welch limit ${deg(l.welchAngle)} / ${deg(180 - l.welchAngle)}`;
  packReadout.share.textContent = `within 89°–91°: ${pct(l.shareWithin1deg)} (random ${pct(l.randomShareWithin1deg)})`;
  packReadout.speed.textContent = Number.isFinite(l.msPerStep) ? `${fmt(l.msPerStep, 2)} ms/step` : "";
  packReadout.error.textContent = l.error ? `stopped: ${l.error}` : "";
  packRun.textContent = l.step > 0 && l.state !== "done" ? "Resume" : "Start";
  packRun.disabled = l.state !== "paused";
  packPause.disabled = l.state !== "running";
}

async function packControl(action: "run" | "pause"): Promise<void> {
  try {
    showPacking(await engine().call("facts.pack.control", { action }));
  } catch (e) {
    showError(packStats, e);
  }
}
let packSeed = 1;
const resetPackingNow = latestOnly(
  packStats,
  (p: { n: number; k: number; penalty: "margin" | "exp"; steps: number; seed: number }) => engine().call("facts.pack.control", { action: "reset", ...p }),
  (l) => {
    lastStep = -1;
    showPacking(l);
    packStats.dataset.ready = "true";
  },
);
function resetPacking(newSeed = false): void {
  if (newSeed) packSeed++;
  worstChart.clear();
  resetPackingNow({ n: Math.round(nSlider.value()), k: Math.round(kSlider.value()), penalty, steps: Number(stepsSelect.value), seed: packSeed });
}
function setPenalty(p: "margin" | "exp"): void {
  penalty = p;
  penaltyButtons.forEach((b, i) => b.setAttribute("aria-pressed", String(["margin", "exp"][i] === p)));
  resetPacking();
}
engine().on("facts.pack.live", showPacking);

// ——— 3. superposition ———

const toyPanel = panel(main, "Superposition: five features in two dimensions", "toy-panel");
toyPanel.append(
  el(
    "p",
    { class: "muted" },
    "The toy model of Anthropic's “Toy Models of Superposition”: five features x₀…x₄ (importance 0.9ⁱ) are squeezed into two hidden dimensions, h = Wx, and read back as ReLU(Wᵀh + b). When features are dense (often on together) the best the model can do is keep the two most important and drop the rest. When they are sparse (rarely on at once) it can afford to give every feature a direction and live with the interference: five features settle into a pentagon. Nine models, one per sparsity, train together in the worker; slide to compare them.",
  ),
);
let toyModels: ToyView[] = [];
const TOY_COLORS = ["--series-1", "--series-2", "--series-3", "--series-4", "--feature-5"];
const toyStatus = el("p", { class: "muted", "data-testid": "toy-status" }, "Training the nine toy models…");
// until the models are trained: a placeholder of the view's size, saying what is happening
const toyWaiting = el("div", { class: "placeholder toy-waiting" }, "The feature directions, norms and interference appear here once the nine models are trained (a few seconds).");
// the slider moves over the worker's models (their number is set once they are trained)
const sparsity = slider("sparsity S", { min: 0, max: 8, step: 1, value: 0, format: (v) => (toyModels[Math.round(v)] ? fmt(1 - toyModels[Math.round(v)].density, 2) : "…"), testId: "toy-sparsity" }, (v) => showToy(Math.round(v)));
const sparsityNote = el("span", { class: "muted" });
sparsity.input.disabled = true;
const toyGeometry = el("div", { class: "toy-geometry" });
const normBars = new Bars({ labels: ["x₀", "x₁", "x₂", "x₃", "x₄"], digits: 2, max: 1.25, testId: "toy-norms" });
const interferenceBars = new Bars({ labels: ["x₀", "x₁", "x₂", "x₃", "x₄"], digits: 2, max: 2.5, testId: "toy-interference" });
const toyReadout = el("p", { class: "toy-readout", "data-testid": "toy-readout" });
const toyView = el(
  "div",
  { class: "toy-view", "data-testid": "toy-view" },
  el("figure", { class: "toy-figure" }, toyGeometry, el("figcaption", {}, "Each feature's direction in the hidden plane: column i of W")),
  el("div", { class: "toy-bars" }, el("h3", {}, "‖Wᵢ‖: is feature i represented? (≈1 yes, ≈0 dropped)"), normBars.element, el("h3", {}, "Interference Σⱼ≠ᵢ (Ŵᵢ·Wⱼ)²: how much the others leak in"), interferenceBars.element, el("p", { class: "muted" }, "A dropped feature's direction Ŵᵢ is whatever is left of its tiny column, so its interference says little.")),
);
toyView.hidden = true;
toyPanel.append(el("div", { class: "row controls" }, sparsity.element, sparsityNote), toyStatus, toyWaiting, toyView, toyReadout);

/** The feature arrows of a 2 × n W on a circle of radius 1.25, as SVG. */
function geometrySvg(m: ToyView, n: number): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const size = 260;
  const c = size / 2;
  const scale = (size / 2 - 28) / 1.25;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `feature directions at density ${m.density}`);
  const add = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text) e.textContent = text;
    svg.append(e);
    return e;
  };
  const line = cssVar("--line-strong", "#c3cad6");
  add("circle", { cx: c, cy: c, r: scale, fill: "none", stroke: line, "stroke-dasharray": "3 4" });
  add("line", { x1: c - scale * 1.2, y1: c, x2: c + scale * 1.2, y2: c, stroke: cssVar("--line", "#e1e5ec") });
  add("line", { x1: c, y1: c - scale * 1.2, x2: c, y2: c + scale * 1.2, stroke: cssVar("--line", "#e1e5ec") });
  for (let i = 0; i < n; i++) {
    const x = m.w[i];
    const y = m.w[n + i];
    const colour = cssVar(TOY_COLORS[i], "#333");
    const px = c + x * scale;
    const py = c - y * scale;
    add("line", { x1: c, y1: c, x2: px, y2: py, stroke: colour, "stroke-width": 3, "stroke-linecap": "round" });
    add("circle", { cx: px, cy: py, r: 4, fill: colour });
    const len = Math.hypot(x, y);
    if (len > 0.15) {
      const lx = c + (x / len) * (len * scale + 14);
      const ly = c - (y / len) * (len * scale + 14);
      add("text", { x: lx, y: ly + 4, "text-anchor": "middle", "font-size": 13, fill: cssVar("--fg", "#1a1d23") }, `x${"₀₁₂₃₄"[i]}`);
    }
  }
  return svg;
}

function showToy(index: number): void {
  const m = toyModels[index];
  if (!m) return;
  const n = m.norms.length;
  const s = 1 - m.density;
  sparsityNote.textContent = s === 0 ? "dense: every feature is non-zero in every example" : `each feature is non-zero in ${pct(m.density)} of the examples`;
  toyGeometry.replaceChildren(geometrySvg(m, n));
  normBars.set(m.norms);
  interferenceBars.set(m.interference);
  const sorted = [...m.angles].sort((a, b) => a - b);
  const gaps = sorted.map((a, i) => (i + 1 < sorted.length ? sorted[i + 1] - a : sorted[0] + 360 - a));
  toyReadout.textContent =
    `${m.represented} of ${n} features represented in 2 dimensions (‖Wᵢ‖ > 0.5); ${fmt(m.dimsPerFeature, 2)} dimensions per feature (m / ‖W‖²_F); loss ${fmt(m.loss, 3)}.` +
    (m.represented >= 3 ? ` Angles between neighbouring features: ${gaps.map((g) => `${Math.round(g)}°`).join(", ")}${m.represented === 5 ? " (a regular pentagon has 72°)" : ""}.` : "");
  Object.assign(toyView.dataset, { index: String(index), density: String(m.density), represented: String(m.represented), dimsPerFeature: String(m.dimsPerFeature), angles: m.angles.join(",") });
}

// ——— 4. a fact in a small GPT: trace and edit ———

factsPanel(panel(main, "Where a small GPT keeps its facts: trace one, then edit it", "facts-panel"));

// the gate and the random vectors first: the toy models take the worker a few seconds
refreshGate();
resetPacking();

engine().on("facts.toy.progress", (p) => {
  toyStatus.textContent = `Training the nine toy models together: step ${p.step} of ${p.steps}, loss ${fmt(p.loss, 3)}…`;
});
engine()
  .call("facts.toy", { seed: 1 })
  .then((r) => {
    toyModels = r.models;
    sparsity.input.max = String(r.models.length - 1);
    sparsity.set(Math.round(sparsity.value()));
    sparsity.input.disabled = false;
    toyStatus.textContent = `${r.models.length} models, one per sparsity (S from 0 to ${fmt(1 - r.models[r.models.length - 1].density, 2)}), each trained for ${r.steps.toLocaleString("en-US")} steps of ${r.batch} examples (Adam, lr 0.01), all at once.`;
    toyWaiting.remove();
    toyView.hidden = false;
    showToy(Math.round(sparsity.value()));
    toyView.dataset.ready = "true";
  })
  .catch((e: Error) => showError(toyView, e));

