// Lesson 5 — what a GPT does: text becomes tokens, tokens become vectors, the vectors flow through the
// model to a distribution over the next token, and sampling from it (temperature, top-k, top-p) writes
// text one token at a time. Then directions in the embedding space, the parameters counted matrix by
// matrix, and the logit lens. Every number comes from the GPT in the page's worker; this page draws.

import "./lesson5.css";
import { button, panel, slider } from "../components/controls.js";
import { HeatStrip } from "../components/heat-strip.js";
import { latestOnly, showError } from "../components/latest-only.js";
import { engine } from "../engine/client.js";
import type { GptModelInfo } from "../engine/methods/gpt.js";
import type { NextToken, TokenizerChoice } from "../engine/methods/gpt-inspect.js";
import { GPT_SHAPES, gptParameterTally, type GptShape } from "../../../src/models/gpt-parameter-count.js";
import { el, LESSONS, shell } from "../shell.js";
import { gptModelPanel } from "./gpt-model.js";
import { promptBox, showPiece, tokenChips, whileVisible } from "./gpt-shared.js";

const lesson = LESSONS[4];
const main = shell(
  lesson.number,
  lesson.title,
  "A GPT reads text as tokens, turns each token into a vector, passes the vectors through its blocks, and ends with a probability for every token that could come next. Sample one, append it, repeat: that is how it writes. Everything here runs in a real GPT in a Web Worker on this page.",
);

const count = (n: number) => n.toLocaleString("en-US");
const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : "–");

const models = gptModelPanel(main, "Every view on this page shows the current model. An untrained model spreads its bets almost evenly; train it for a minute and watch the next-token bars sharpen as the loss falls.");

// ——— 1. text becomes tokens ———

const tokensPanel = panel(main, "Text becomes tokens", "tokens-panel");
const prompt = promptBox(() => refreshAll());
const TOKENIZERS: { choice: TokenizerChoice; label: string; title: string }[] = [
  { choice: "model", label: "the model's", title: "the tokenizer the current model reads" },
  { choice: "char", label: "characters", title: "one token per character of the Shakespeare text" },
  { choice: "bpe", label: "our BPE", title: "a byte-pair encoding of 512 tokens learned here from the Shakespeare text" },
  { choice: "gpt2", label: "GPT-2", title: "GPT-2's byte-pair encoding of 50,257 tokens" },
];
let tokenizer: TokenizerChoice = "model";
const tokenizerButtons = TOKENIZERS.map((t) => {
  const b = button(
    t.label,
    () => {
      tokenizer = t.choice;
      refreshTokens();
    },
    `tokenizer-${t.choice}`,
  );
  b.title = t.title;
  return b;
});
const tokensView = el("div", { class: "tokens-view", "data-testid": "tokens" });
tokensPanel.append(
  el("p", { class: "muted" }, "The model never sees letters: a tokenizer cuts the text into pieces from a fixed vocabulary and replaces each by its number, its id. Characters make a tiny vocabulary and long sequences; byte-pair encoding (BPE) merges frequent pairs into longer pieces, so common words become one token."),
  prompt.element,
  el("div", { class: "row controls" }, el("span", { class: "segmented", role: "group", "aria-label": "tokenizer" }, ...tokenizerButtons)),
  tokensView,
);

const showTokens = latestOnly(
  tokensView,
  (p: { text: string; choice: TokenizerChoice }) => engine().call("gpt.tokenize", { text: p.text, tokenizer: p.choice }),
  (r, p) => {
    tokenizerButtons.forEach((b, i) => b.setAttribute("aria-pressed", String(TOKENIZERS[i].choice === p.choice)));
    tokensView.dataset.kind = r.kind;
    tokensView.replaceChildren(el("p", { class: "note" }, `${count(r.ids.length)} tokens · ${r.note}`), tokenChips(r.pieces, r.ids, "token-chips"));
  },
);
const refreshTokens = () => showTokens({ text: prompt.value(), choice: tokenizer });

// ——— 2. tokens become vectors ———

const vectorsPanel = panel(main, "Tokens become vectors", "vectors-panel");
vectorsPanel.append(
  el("p", { class: "muted" }, "Each id picks one row of the embedding matrix W_E: a list of numbers (the model's width) that the rest of the model works on. Green cells are positive, red negative. A second vector for the token's position is added before the first block."),
);
const vectorsView = el("div", { class: "vectors", "data-testid": "embeddings" });
vectorsPanel.append(vectorsView);
const MAX_VECTORS = 16;
const showVectors = latestOnly(
  vectorsView,
  (text: string) => engine().call("gpt.embeddings", { text }),
  (r) => {
    const T = r.prompt.ids.length;
    const from = Math.max(0, T - MAX_VECTORS);
    const C = r.width;
    // every strip on one colour scale, so rows compare
    let scale = 0;
    for (const v of r.tokens) scale = Math.max(scale, Math.abs(v));
    const cell = Math.max(1, Math.min(8, Math.floor(480 / C)));
    const rows = [];
    for (let t = from; t < T; t++) {
      const strip = new HeatStrip(cell);
      strip.update(r.tokens.subarray(t * C, (t + 1) * C), scale);
      rows.push(el("div", { class: "vector-row" }, el("span", { class: "piece" }, showPiece(r.prompt.pieces[t])), el("span", { class: "id" }, String(r.prompt.ids[t])), strip.element));
    }
    vectorsView.dataset.width = String(C);
    vectorsView.dataset.count = String(T);
    vectorsView.replaceChildren(
      el("p", { class: "note" }, `${T > MAX_VECTORS ? `The last ${MAX_VECTORS} of ${T} tokens` : `${T} tokens`}, each a vector of ${count(C)} numbers (colour scale ±${fmt(scale, 2)}).${r.prompt.dropped ? ` The model reads only its last ${T} tokens (its context).` : ""}`),
      el("div", { class: "vector-rows" }, ...rows),
    );
  },
);

// ——— 3. what comes next ———

const nextPanel = panel(main, "What comes next: a distribution, then a sample", "next-panel");
nextPanel.append(
  el(
    "p",
    { class: "muted" },
    "The model's last vector, multiplied by the unembedding matrix W_U, gives one number per token of the vocabulary: its logit. Softmax turns logits into probabilities, p ∝ exp(logit / T). The temperature T sharpens (T < 1) or flattens (T > 1) the distribution; T = 0 always picks the top token. Top-k keeps only the k likeliest tokens, top-p the fewest whose probabilities add up to p. The bars show what a sample is drawn from.",
  ),
);
const settings = { temperature: 1, topK: 0, topP: 1 };
const temperature = slider("temperature T", { min: 0, max: 2.5, step: 0.05, value: 1, format: (v) => v.toFixed(2), testId: "temperature" }, (v) => {
  settings.temperature = v;
  refreshNext();
});
const topK = slider("top-k", { min: 0, max: 40, step: 1, value: 0, format: (v) => (v === 0 ? "all" : String(v)), testId: "top-k" }, (v) => {
  settings.topK = v;
  refreshNext();
});
const topP = slider("top-p", { min: 0.05, max: 1, step: 0.01, value: 1, format: (v) => v.toFixed(2), testId: "top-p" }, (v) => {
  settings.topP = v;
  refreshNext();
});
const nextView = el("div", { class: "next-view", "data-testid": "next" });
const sampleButton = button("Sample one token", () => void sample(1), "sample-one");
const runButton = button("Run", () => void sample(RUN_TOKENS), "sample-run");
const stopButton = button("Stop", () => void engine().call("gpt.stop", { run: sampleRun }), "sample-stop");
stopButton.disabled = true;
const sampled = el("p", { class: "sampled", "data-testid": "sampled", "data-count": "0" }, el("span", { class: "muted" }, "Sampled tokens appear here, each with the probability it was drawn with, and are appended to the prompt."));
nextPanel.append(el("div", { class: "row controls" }, temperature.element, topK.element, topP.element), nextView, el("div", { class: "row controls" }, sampleButton, runButton, stopButton), sampled);

const TOP = 12;
const showNext = latestOnly(
  nextView,
  (p: { text: string; temperature: number; topK: number; topP: number }) => engine().call("gpt.next", { text: p.text, top: TOP, temperature: p.temperature, topK: p.topK || undefined, topP: p.topP }),
  (r: NextToken, p) => {
    const rows = r.top.map((c) =>
      el(
        "div",
        { class: "candidate", "data-id": String(c.id), "data-logit": String(c.logit), "data-p": String(c.p), title: `id ${c.id}: logit ${c.logit.toFixed(4)}, probability ${c.p.toPrecision(4)}` },
        el("span", { class: "piece" }, showPiece(c.piece)),
        el("span", { class: "bar-track" }, el("span", { class: "bar-fill", style: `width: ${(c.p * 100).toFixed(2)}%` })),
        el("span", { class: "num p" }, `${(c.p * 100).toFixed(1)}%`),
        el("span", { class: "num logit" }, c.logit.toFixed(2)),
      ),
    );
    Object.assign(nextView.dataset, { temperature: String(p.temperature), topK: String(p.topK), topP: String(p.topP), version: String(r.version), text: p.text, kept: String(r.kept) });
    const last = r.prompt.pieces[r.prompt.pieces.length - 1];
    nextView.replaceChildren(
      el("p", { class: "note" }, `After “…${showPiece(r.prompt.pieces.slice(-8).join(""))}” (last token ${JSON.stringify(showPiece(last))}): the ${r.top.length} likeliest of ${count(r.vocabSize)} tokens; ${count(r.kept)} keep a chance of being drawn.`),
      el("div", { class: "candidates-head" }, el("span", {}, "token"), el("span", {}, "probability (the whole bar is 1)"), el("span", { class: "num" }, "p"), el("span", { class: "num" }, "logit")),
      el("div", { class: "candidates" }, ...rows),
    );
  },
);
const refreshNext = () => showNext({ text: prompt.value(), ...settings });

const RUN_TOKENS = 500;
let sampling = false;
/** This page's sampling runs, numbered: Stop names the one it means, even while it waits for the engine. */
let sampleRun = 0;
async function sample(n: number): Promise<void> {
  if (sampling) return;
  sampling = true;
  const run = ++sampleRun;
  sampleButton.disabled = runButton.disabled = true;
  stopButton.disabled = n === 1;
  const chips: HTMLElement[] = [];
  const label = el("span", { class: "muted" }, n === 1 ? "sampled: " : "streaming: ");
  sampled.replaceChildren(label);
  const off = engine().on("gpt.token", (t) => {
    prompt.input.value += t.piece;
    const chip = el("span", { class: "sampled-token", title: `id ${t.id}, drawn with probability ${t.p.toPrecision(3)}` }, showPiece(t.piece), el("small", {}, ` ${(t.p * 100).toFixed(0)}%`));
    chips.push(chip);
    if (chips.length > 40) chips.shift()?.remove();
    sampled.append(chip);
    sampled.dataset.count = String(Number(sampled.dataset.count) + 1);
  });
  try {
    const r = await engine().call("gpt.sample", { text: prompt.value(), tokens: n, run, ...settings, topK: settings.topK || undefined });
    sampled.dataset.last = r.text;
  } catch (e) {
    showError(nextPanel, e);
  } finally {
    off();
    label.textContent = chips.length >= 40 ? "sampled (the latest 40, each with the probability it was drawn with): " : "sampled (each with the probability it was drawn with): ";
    sampling = false;
    sampleButton.disabled = runButton.disabled = false;
    stopButton.disabled = true;
    refreshAll();
  }
}

// ——— 4. directions in the embedding space ———

const embedPanel = panel(main, "Directions in the embedding space", "embed-panel");
embedPanel.append(
  el(
    "p",
    { class: "muted" },
    "Training places the embedding vectors so that directions mean something. Nearest neighbours: the tokens whose vectors point most nearly the same way (cosine similarity). Analogies: the vector a − b + c and the tokens nearest to it (king − man + woman ≈ queen, in a large model). Projections: every token measured along the direction a − b. A small model trained on characters learns little of this, but it may find that capital letters differ from small ones by a shared direction: try A − a + b.",
  ),
);
const tokenField = (value: string, label: string, testId: string) => {
  const input = el("input", { type: "text", value, spellcheck: "false", size: "8", "data-testid": testId, "aria-label": label });
  return { input, element: el("label", { class: "token-field" }, `${label} `, input) };
};
const ea = tokenField("A", "a", "embed-a");
const eb = tokenField("a", "b", "embed-b");
const ec = tokenField("b", "c", "embed-c");
const EMBED_MODES = [
  { mode: "nearest", label: "nearest to a" },
  { mode: "analogy", label: "a − b + c" },
  { mode: "project", label: "along a − b" },
] as const;
type EmbedMode = (typeof EMBED_MODES)[number]["mode"];
let embedMode: EmbedMode = "analogy";
const embedButtons = EMBED_MODES.map((m) =>
  button(
    m.label,
    () => {
      embedMode = m.mode;
      refreshEmbed();
    },
    `embed-${m.mode}`,
  ),
);
for (const f of [ea, eb, ec]) f.input.addEventListener("input", () => refreshEmbed());
const embedView = el("div", { class: "embed-view", "data-testid": "embed" });
embedPanel.append(el("div", { class: "row controls" }, el("span", { class: "segmented", role: "group", "aria-label": "search" }, ...embedButtons), ea.element, eb.element, ec.element), embedView);
const scoredList = (title: string, items: { id: number; piece: string; score: number }[]) =>
  el("div", { class: "scored" }, el("h3", {}, title), el("ol", {}, ...items.map((x) => el("li", { "data-id": String(x.id) }, el("span", { class: "piece" }, showPiece(x.piece)), el("span", { class: "num" }, x.score.toFixed(3))))));
const showEmbed = latestOnly(
  embedView,
  (p: { mode: EmbedMode; a: string; b: string; c: string }) => engine().call("gpt.embedSearch", { ...p, k: 8 }),
  (r, p) => {
    embedButtons.forEach((b, i) => b.setAttribute("aria-pressed", String(EMBED_MODES[i].mode === p.mode)));
    eb.element.hidden = p.mode === "nearest";
    ec.element.hidden = p.mode !== "analogy";
    const q = r.query.map((x) => JSON.stringify(showPiece(x.piece)));
    embedView.dataset.mode = p.mode;
    embedView.dataset.top = r.top.map((x) => x.piece).join("\u0000");
    if (p.mode === "nearest") embedView.replaceChildren(scoredList(`Nearest to ${q[0]} (cosine)`, r.top));
    else if (p.mode === "analogy") embedView.replaceChildren(scoredList(`Nearest to ${q[0]} − ${q[1]} + ${q[2]} (cosine; the three left out)`, r.top));
    else embedView.replaceChildren(el("div", { class: "row" }, scoredList(`Furthest along ${q[0]} − ${q[1]}`, r.top), scoredList("Furthest against it", r.bottom)));
  },
);
const refreshEmbed = () => showEmbed({ mode: embedMode, a: ea.input.value, b: eb.input.value, c: ec.input.value });

/** Example tokens that suit the model's tokenizer (characters, or GPT-2's words with their spaces). */
function embedDefaults(m: GptModelInfo): void {
  const [a, b, c] = m.tokenizer === "gpt2" ? [" king", " man", " woman"] : m.tokenizer === "char" ? ["A", "a", "b"] : ["A", "a", "b"];
  ea.input.value = a;
  eb.input.value = b;
  ec.input.value = c;
}

// ——— 5. counting the parameters ———

const tallyPanel = panel(main, "Counting the parameters, matrix by matrix", "tally-panel");
tallyPanel.append(
  el(
    "p",
    { class: "muted" },
    "Nearly every parameter sits in a matrix the lesson names: the embedding W_E, per head the query, key, value and output maps, per block the MLP's up and down projections, and the unembedding W_U. The tally counts those the lesson's way (W_U separately, even where a model shares it with W_E); the full count adds position embeddings, LayerNorms and biases. GPT-3's shape gives the lesson's 175,181,291,520.",
  ),
);
const tallies = el("div", { class: "row tallies" });
const countAgain = button("Count again", () => fillTallies(), "tally-again");
tallyPanel.append(el("div", { class: "row controls" }, countAgain), tallies);

/** A tally table whose rows fill in one at a time, the running total growing with them. */
function tallyTable(title: string, shape: GptShape, testId: string): { element: HTMLElement; fill(): void } {
  const t = gptParameterTally(shape);
  const lessonRows = t.rows.filter((r) => r.lesson);
  const total = el("td", { class: "num" }, "0");
  const body = el("tbody");
  const rows = lessonRows.map((r) =>
    el(
      "tr",
      { hidden: "" },
      el("td", {}, r.name),
      el("td", { class: "num" }, `${r.count > 1 ? `${count(r.count)} × ` : ""}${r.shape.map(count).join(" × ")}`),
      el("td", { class: "num" }, count(r.parameters)),
    ),
  );
  body.append(...rows);
  const table = el(
    "table",
    { class: "tally", "data-testid": testId, "data-lesson-total": String(t.lessonTotal), "data-full-total": String(t.fullTotal) },
    el("caption", {}, title),
    el("thead", {}, el("tr", {}, el("th", {}, "matrix"), el("th", { class: "num" }, "how many × shape"), el("th", { class: "num" }, "parameters"))),
    body,
    el("tfoot", {}, el("tr", {}, el("th", { colspan: "2" }, "total of these matrices"), total), el("tr", { class: "full" }, el("td", { colspan: "2", title: "every parameter: the matrices plus position embeddings, LayerNorm scales and shifts, biases" }, "all parameters, with positions, norms, biases"), el("td", { class: "num" }, count(t.fullTotal)))),
  );
  let timer = 0;
  return {
    element: el("div", { class: "tally-box" }, table),
    fill() {
      clearTimeout(timer);
      let sum = 0;
      rows.forEach((r) => (r.hidden = true));
      total.textContent = "0";
      delete table.dataset.shown;
      const next = (i: number) => {
        if (i >= rows.length) {
          table.dataset.shown = String(sum);
          return;
        }
        rows[i].hidden = false;
        sum += lessonRows[i].parameters;
        total.textContent = count(sum);
        timer = window.setTimeout(() => next(i + 1), 350);
      };
      next(0);
    },
  };
}

let modelTally: ReturnType<typeof tallyTable> | null = null;
const gpt3Tally = tallyTable("GPT-3 (96 blocks × 96 heads, width 12,288)", GPT_SHAPES.gpt3, "tally-gpt3");
function fillTallies(): void {
  modelTally?.fill();
  gpt3Tally.fill();
}
function showModelTally(m: GptModelInfo): void {
  const shape = tallies.dataset.shape;
  const key = JSON.stringify(m.config);
  if (shape === key) return;
  tallies.dataset.shape = key;
  modelTally = tallyTable(`The current model (${m.config.nLayer} × ${m.config.nHead}, width ${count(m.config.nEmbd)})`, m.config, "tally-model");
  tallies.replaceChildren(modelTally.element, gpt3Tally.element);
  fillTallies();
}

// ——— 6. the logit lens ———

const lensPanel = panel(main, "The logit lens: what the model would say after each block", "lens-panel");
lensPanel.append(
  el("p", { class: "muted" }, "Take the vector of each position after the embedding and after every block, and unembed it (final LayerNorm, then W_U) as if the model stopped there. Each cell is that position's top guess for the next token, with its probability; the last row is the model's real output."),
);
const lensView = el("div", { class: "lens", "data-testid": "lens" });
lensPanel.append(lensView);
const LENS_POSITIONS = 10;
const showLens = latestOnly(
  lensView,
  (text: string) => engine().call("gpt.lens", { text, k: 1 }),
  (r) => {
    const T = r.prompt.ids.length;
    const from = Math.max(0, T - LENS_POSITIONS);
    const head = el("tr", {}, el("th", {}, "after"), ...r.prompt.pieces.slice(from).map((p) => el("th", { class: "piece" }, showPiece(p))));
    const rows = r.layers.map((l) =>
      el(
        "tr",
        {},
        el("th", {}, l.name),
        ...l.top.slice(from).map((top) => el("td", { title: `p = ${top[0].prob.toPrecision(3)}` }, el("span", { class: "piece" }, showPiece(top[0].piece)), el("small", {}, ` ${(top[0].prob * 100).toFixed(0)}%`))),
      ),
    );
    lensView.dataset.layers = String(r.layers.length);
    lensView.replaceChildren(el("div", { class: "lens-scroll" }, el("table", { class: "lens-table" }, el("thead", {}, head), el("tbody", {}, ...rows))));
  },
);

// ——— wiring ———

function refreshAll(): void {
  refreshTokens();
  if (!models.model()) return;
  showVectors(prompt.value());
  refreshNext();
  showLens(prompt.value());
  refreshEmbed();
}

// the same model, trained a little more: the views that depend on its weights, those on screen at once
const weightsChanged = whileVisible([
  [vectorsPanel, () => showVectors(prompt.value())],
  [nextPanel, refreshNext],
  [lensPanel, () => showLens(prompt.value())],
  [embedPanel, refreshEmbed],
]);
let lastShape = "";
models.onChange((m) => {
  const shape = JSON.stringify(m.config);
  if (shape !== lastShape) {
    lastShape = shape;
    showModelTally(m);
    embedDefaults(m);
    refreshAll();
  } else if (!sampling) weightsChanged();
});
