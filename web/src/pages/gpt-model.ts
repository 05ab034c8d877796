// The "which GPT" panel lessons 5 and 6 share: the current model and where it came from, the tiny GPT
// trained in the page with its live loss curve (start, pause, new weights), a GPT-2-layout checkpoint
// opened from disk (read by the worker, never uploaded), and the runs `nnlab serve` offers.

import "./gpt-shared.css";
import { LineChart } from "../components/chart.js";
import { button, panel } from "../components/controls.js";
import { showError } from "../components/latest-only.js";
import { engine } from "../engine/client.js";
import type { GptModelInfo, GptTrainLive } from "../engine/methods/gpt.js";
import { el } from "../shell.js";

const count = (n: number) => n.toLocaleString("en-US");
const fmt = (v: number, digits = 4) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : "–");

/** What a page gets back: the current model, and hooks for when it changes or trains. */
export interface GptModelPanel {
  element: HTMLElement;
  /** The current model (null until the first one is ready). */
  model(): GptModelInfo | null;
  /** Called with the model whenever it changes: made, loaded, or trained a few steps. */
  onChange(fn: (m: GptModelInfo) => void): void;
}

/** A one-line summary of a model's shape. */
export function shapeLine(m: GptModelInfo): string {
  const c = m.config;
  return `${c.nLayer} block${c.nLayer === 1 ? "" : "s"} × ${c.nHead} heads, width ${count(c.nEmbd)} (d_k = ${c.nEmbd / c.nHead}), context ${count(c.blockSize)} tokens, ${count(c.vocabSize)}-token vocabulary (${m.tokenizer}), ${count(m.parameters)} parameters`;
}

/**
 * Builds the panel in `main` and makes the page's first model: a fresh tiny GPT, untrained until the
 * learner presses Train. `intro` says what training changes on this page.
 */
export function gptModelPanel(main: HTMLElement, intro: string): GptModelPanel {
  const section = panel(main, "The model: a tiny GPT trained here, or one you open", "model-panel");
  const listeners: ((m: GptModelInfo) => void)[] = [];
  let current: GptModelInfo | null = null;

  const status = el("p", { class: "model-line", "data-testid": "gpt-model" }, "making a tiny GPT with random weights…");
  const shape = el("p", { class: "muted model-shape" });
  const setModel = (m: GptModelInfo) => {
    current = m;
    status.replaceChildren(el("strong", {}, "Current model: "), m.origin);
    shape.textContent = shapeLine(m);
    Object.assign(status.dataset, { version: String(m.version), source: m.source, layers: String(m.config.nLayer), heads: String(m.config.nHead), width: String(m.config.nEmbd), vocab: String(m.config.vocabSize), parameters: String(m.parameters), ready: "true" });
    for (const fn of listeners) fn(m);
  };

  // ——— the tiny GPT trained here ———
  const stats = el("div", { class: "train-stats", "data-testid": "gpt-train-stats" });
  const readout = { progress: el("span"), loss: el("span"), speed: el("span", { class: "speed" }), error: el("span", { class: "error" }) };
  stats.append(...Object.values(readout));
  const runButton = button("Train", () => void control("run"), "gpt-train-run");
  const pauseButton = button("Pause", () => void control("pause"), "gpt-train-pause");
  const newButton = button("New random weights", () => void make(), "gpt-train-new");
  const chart = new LineChart({
    title: "Training loss (cross-entropy of the next character)",
    xLabel: "training step",
    series: [{ label: "loss" }],
    xEmpty: [0, 600],
    yEmpty: [0, 5],
    placeholder: "Press Train: the loss appears here as the model learns.",
  });
  let firstLoss = NaN;
  const showLive = (l: GptTrainLive) => {
    if (Number.isFinite(l.loss)) {
      chart.push(l.iter, l.loss);
      stats.dataset.loss = String(l.loss);
    }
    if (Number.isFinite(l.firstLoss)) firstLoss = l.firstLoss;
    Object.assign(stats.dataset, { state: l.state, iter: String(l.iter), firstLoss: String(firstLoss) });
    const word = l.state === "running" ? "training" : l.state === "done" ? "done" : l.iter > 0 ? "paused" : "untrained";
    readout.progress.textContent = `${word} · step ${count(l.iter)} of ${count(l.iters)}`;
    readout.loss.textContent = `loss ${fmt(Number(stats.dataset.loss ?? NaN))}${Number.isFinite(firstLoss) ? ` (first step ${fmt(firstLoss)})` : ""}`;
    readout.speed.textContent = Number.isFinite(l.stepMs) ? `${fmt(l.stepMs, 3)} ms a step` : "";
    if (Number.isFinite(l.tokensPerSecond)) readout.speed.title = `${count(Math.round(l.tokensPerSecond))} tokens/s in the latest steps`;
    readout.error.textContent = l.error ? `training stopped: ${l.error}` : "";
    runButton.textContent = l.iter > 0 ? "Resume" : "Train";
    runButton.disabled = l.state !== "paused";
    pauseButton.disabled = l.state !== "running";
    if (current && current.source === "trained-here" && l.version !== current.version) setModel({ ...current, version: l.version });
  };
  engine().on("gpt.train.live", showLive);
  engine().on("gpt.model", setModel);

  async function control(action: "run" | "pause"): Promise<void> {
    try {
      showLive(await engine().call("gpt.train", { action }));
    } catch (e) {
      showError(section, e);
    }
  }
  async function make(): Promise<void> {
    for (const b of [runButton, pauseButton, newButton]) b.disabled = true;
    readout.progress.textContent = "fetching the Shakespeare text and making a tiny GPT with random weights…";
    const seed = Number(section.dataset.seed ?? 0) + 1;
    section.dataset.seed = String(seed);
    try {
      const l = await engine().call("gpt.train", { action: "new", seed });
      chart.clear();
      firstLoss = NaN;
      delete stats.dataset.loss;
      showLive(l);
    } catch (e) {
      showError(section, e);
    }
    newButton.disabled = false;
  }

  // ——— a checkpoint from disk, or a run from the server ———
  const file = el("input", { type: "file", multiple: "", accept: ".json,.safetensors", "data-testid": "gpt-file", "aria-label": "config.json and model.safetensors of a GPT-2 checkpoint" });
  const fileStatus = el("span", { class: "muted", "data-testid": "gpt-file-status" });
  file.addEventListener("change", () => void openFiles());
  async function openFiles(): Promise<void> {
    const files = [...(file.files ?? [])];
    const config = files.find((f) => f.name.endsWith(".json"));
    const weights = files.find((f) => f.name.endsWith(".safetensors"));
    if (!config || !weights) {
      fileStatus.textContent = `pick both files at once: config.json and model.safetensors (found ${files.map((f) => f.name).join(", ") || "none"})`;
      fileStatus.dataset.state = "error";
      return;
    }
    fileStatus.textContent = `reading ${config.name} and ${weights.name} (${(weights.size / 1e6).toFixed(1)} MB) in this tab…`;
    fileStatus.dataset.state = "loading";
    try {
      const [c, w] = await Promise.all([config.arrayBuffer(), weights.arrayBuffer()]);
      const m = await engine().call("gpt.load", { config: c, model: w, names: { config: config.name, model: weights.name } }, [c, w]);
      fileStatus.textContent = `opened ${config.name} + ${weights.name}`;
      fileStatus.dataset.state = "loaded";
      setModel(m);
      // training pauses while another model is current
      await engine().call("gpt.train", { action: "pause" }).then(showLive, () => undefined);
    } catch (e) {
      fileStatus.textContent = e instanceof Error ? e.message : String(e);
      fileStatus.dataset.state = "error";
    }
  }

  const runs = el("select", { "data-testid": "gpt-runs", "aria-label": "a GPT run from the server" });
  const runsLabel = el("label", { class: "runs", hidden: "" }, "or a run saved by nnlab gpt train: ", runs);
  runs.addEventListener("change", () => {
    if (!runs.value) return;
    fileStatus.textContent = `loading run ${runs.value}…`;
    engine()
      .call("gpt.loadRun", { name: runs.value })
      .then((m) => {
        fileStatus.textContent = `opened run ${runs.value}`;
        setModel(m);
      })
      .catch((e: Error) => (fileStatus.textContent = e.message));
  });
  void engine()
    .call("gpt.runs", {})
    .then(({ runs: names }) => {
      if (!names.length) return;
      runs.append(el("option", { value: "" }, "choose a run"), ...names.map((n) => el("option", { value: n }, n)));
      runsLabel.hidden = false;
    })
    .catch(() => undefined);

  section.append(
    el("p", { class: "muted" }, intro),
    status,
    shape,
    el("h3", {}, "Train the tiny GPT here"),
    el(
      "p",
      { class: "muted" },
      "2 blocks of 4 heads, width 64, reading 64 characters at a time: nanoGPT's recipe at toy size (the tiny preset of nnlab gpt train), trained on three Shakespeare plays in this tab for 600 steps of AdamW. A step is 16 random windows of the text; the loss is the mean cross-entropy of each next character. It starts near ln 65 ≈ 4.2 (a guess among 65 characters) and falls below 2.5 within a couple of hundred steps.",
    ),
    el("div", { class: "row controls" }, runButton, pauseButton, newButton),
    stats,
    el("div", { class: "row charts" }, chart.element),
    el("h3", {}, "Or open a GPT-2 checkpoint"),
    el(
      "p",
      { class: "muted" },
      "A Hugging Face GPT-2 directory's two files, config.json and model.safetensors (float32), picked together. They are read by the engine in this tab and never uploaded. GPT-2 small (124M parameters, 500 MB) works but every step is slow on a CPU.",
    ),
    el("div", { class: "row controls" }, el("label", { class: "file" }, "config.json + model.safetensors: ", file), runsLabel),
    fileStatus,
  );

  void make();
  return {
    element: section,
    model: () => current,
    onChange: (fn) => listeners.push(fn),
  };
}
