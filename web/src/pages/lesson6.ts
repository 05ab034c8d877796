// Lesson 6 — attention: the pattern of every head of every block for your prompt, one enlarged with the
// tokens on both axes, the causal mask and the 1/√d_k scaling as switches, and one token's query against
// every key (dot products, scores, weights) with the values it mixes. The patterns redraw while the tiny
// GPT trains in the page. Every number comes from the GPT in the page's worker; this page draws.

import "./lesson6.css";
import { attentionTable, drawAttentionThumb } from "../components/attention-map.js";
import { panel } from "../components/controls.js";
import { HeatStrip } from "../components/heat-strip.js";
import { latestOnly } from "../components/latest-only.js";
import { maxAbs } from "../components/tile.js";
import { engine } from "../engine/client.js";
import { el, LESSONS, shell } from "../shell.js";
import { gptModelPanel } from "./gpt-model.js";
import { promptBox, showPiece, tokenChips, whileVisible } from "./gpt-shared.js";

const lesson = LESSONS[5];
const main = shell(
  lesson.number,
  lesson.title,
  "In every block, each token asks a question (its query), every token offers an answer to match (its key), and the better they match, the more of that token's value flows into the asker. The pattern of those weights is what a head attends to. Everything here is computed by a real GPT in a Web Worker on this page.",
);

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : "–");

const models = gptModelPanel(main, "The patterns below belong to the current model. An untrained model's heads attend almost evenly to every earlier token; press Train and watch them redraw as it learns (a few times a second).");

// ——— 1. every head ———

const gridPanel = panel(main, "The attention pattern of every head", "grid-panel");
const view = { causal: true, scale: true, layer: 0, head: 0, token: -1 };
const prompt = promptBox(() => refresh(), 2);
prompt.set("To be, or not to be, that is the question");
const causal = el("input", { type: "checkbox", checked: "", "data-testid": "causal" });
const scale = el("input", { type: "checkbox", checked: "", "data-testid": "scale" });
causal.addEventListener("change", () => {
  view.causal = causal.checked;
  refresh();
});
scale.addEventListener("change", () => {
  view.scale = scale.checked;
  refresh();
});
const grid = el("div", { class: "head-grid", "data-testid": "attention-grid" });
const big = el("div", { class: "big-pattern", "data-testid": "attention-big-view" });
gridPanel.append(
  el(
    "p",
    { class: "muted" },
    "Each square is one head: row t is token t attending (its query), column j the token it attends to (its key); the darker the cell, the larger the weight (colour by √weight, so that small weights show; hover a cell of the enlarged head for its value), and every row adds up to 1. Grey cells are hidden by the causal mask: a token may not look at the tokens after it, since during training it must predict them. Click a head to enlarge it.",
  ),
  prompt.element,
  el(
    "div",
    { class: "row controls" },
    el("label", { class: "switch" }, causal, " causal mask (no looking ahead)"),
    el("label", { class: "switch" }, scale, " divide the scores by √d_k"),
  ),
  grid,
  big,
);

let last: { pieces: string[]; patterns: Float32Array; nLayer: number; nHead: number; T: number } | null = null;

function drawGrid(): void {
  if (!last) return;
  const { nLayer, nHead, T, patterns } = last;
  // as large as fits one block's heads on a line (the block label sits above them on a phone)
  const width = grid.clientWidth || 720;
  const size = Math.max(48, Math.min(120, Math.floor((width - (width < 560 ? 0 : 80)) / nHead) - 18));
  const blocks = [];
  for (let l = 0; l < nLayer; l++) {
    const heads = [];
    for (let h = 0; h < nHead; h++) {
      const canvas = el("canvas", { "aria-hidden": "true" });
      drawAttentionThumb(canvas, patterns.subarray((l * nHead + h) * T * T, (l * nHead + h + 1) * T * T), T, view.causal, size);
      const b = el("button", { class: "head", "data-testid": `head-${l}-${h}`, "aria-pressed": String(l === view.layer && h === view.head), title: `block ${l}, head ${h}: click to enlarge` }, canvas, el("span", {}, `head ${h}`));
      b.addEventListener("click", () => {
        view.layer = l;
        view.head = h;
        drawGrid();
        refreshQkv();
      });
      heads.push(b);
    }
    blocks.push(el("div", { class: "block-row" }, el("span", { class: "block-label" }, `block ${l}`), el("div", { class: "heads" }, ...heads)));
  }
  grid.replaceChildren(...blocks);
  drawBig();
}

function drawBig(): void {
  if (!last) return;
  const { nHead, T, patterns, pieces } = last;
  const p = patterns.subarray((view.layer * nHead + view.head) * T * T, (view.layer * nHead + view.head + 1) * T * T);
  Object.assign(big.dataset, { layer: String(view.layer), head: String(view.head) });
  big.replaceChildren(
    el("h3", {}, `Block ${view.layer}, head ${view.head}${view.causal ? "" : " — no causal mask"}${view.scale ? "" : " — scores not scaled"}`),
    attentionTable(p, pieces.map(showPiece), {
      causal: view.causal,
      selectedRow: view.token,
      testId: "attention-big",
      onPickRow: (t) => {
        view.token = t;
        drawBig();
        refreshQkv();
      },
    }),
    el("p", { class: "note" }, "Click a token on the left to see its query meet every key below."),
  );
}

const MAX_TOKENS = 48;
const showPatterns = latestOnly(
  grid,
  (p: { text: string; causal: boolean; scale: boolean }) => engine().call("gpt.attention", p),
  (r, p) => {
    const T = r.prompt.ids.length;
    last = { pieces: r.prompt.pieces, patterns: r.patterns, nLayer: r.nLayer, nHead: r.nHead, T };
    view.layer = Math.min(view.layer, r.nLayer - 1);
    view.head = Math.min(view.head, r.nHead - 1);
    if (view.token < 0 || view.token >= T) view.token = T - 1;
    Object.assign(grid.dataset, { causal: String(p.causal), scale: String(p.scale), version: String(r.version), tokens: String(T), layers: String(r.nLayer), heads: String(r.nHead) });
    drawGrid();
  },
);

// ——— 2. one token's query against every key ———

const qkvPanel = panel(main, "One token's query against every key", "qkv-panel");
qkvPanel.append(
  el(
    "p",
    { class: "muted" },
    "The head computes, for the chosen token t, its query q = W_Q x_t and for every token j a key k_j = W_K x_j and a value v_j = W_V x_j (x: the token's vector entering the block, after its LayerNorm). The score of j is the dot product q · k_j, divided by √d_k so that it does not grow with the head's size; the causal mask sets the scores of later tokens to −∞; softmax turns the scores into the weights of the pattern's row. The head's output for t is Σ_j weight_j · v_j.",
  ),
);
const qkvView = el("div", { class: "qkv", "data-testid": "qkv" });
qkvPanel.append(qkvView);

const showQkv = latestOnly(
  qkvView,
  (p: { text: string; layer: number; head: number; token: number; causal: boolean; scale: boolean }) => engine().call("gpt.qkv", p),
  (r, p) => {
    const s = r.scores;
    const T = r.prompt.ids.length;
    const hs = s.headSize;
    const keyScale = Math.max(maxAbs(s.keys), maxAbs(s.query));
    const valueScale = maxAbs(s.values);
    const cell = Math.max(2, Math.min(12, Math.floor(192 / hs)));
    const strip = (v: Float32Array, m: number) => {
      const h = new HeatStrip(cell);
      h.update(v, m);
      return h.element;
    };
    const maxW = Math.max(...s.weights, 1e-9);
    const rows = [];
    for (let j = 0; j < T; j++) {
      const hidden = s.scores[j] === -Infinity;
      rows.push(
        el(
          "tr",
          { class: `${hidden ? "masked" : ""}${j === s.token ? " self" : ""}`, "data-weight": String(s.weights[j]), "data-dot": String(s.dots[j]) },
          el("th", { class: "piece" }, showPiece(r.prompt.pieces[j])),
          el("td", {}, strip(s.keys.subarray(j * hs, (j + 1) * hs), keyScale)),
          el("td", { class: "num" }, s.dots[j].toFixed(3)),
          el("td", { class: "num" }, hidden ? "−∞ (masked)" : s.scores[j].toFixed(3)),
          el("td", { class: "weight" }, el("span", { class: "bar-track" }, el("span", { class: "bar-fill", style: `width:${((s.weights[j] / maxW) * 100).toFixed(1)}%` })), el("span", { class: "num" }, s.weights[j].toFixed(3))),
          el("td", {}, strip(s.values.subarray(j * hs, (j + 1) * hs), valueScale)),
        ),
      );
    }
    Object.assign(qkvView.dataset, { token: String(s.token), layer: String(s.layer), head: String(s.head), causal: String(p.causal) });
    qkvView.replaceChildren(
      el(
        "div",
        { class: "row controls" },
        el("span", {}, `Block ${s.layer}, head ${s.head}; the attending token:`),
        tokenChips(r.prompt.pieces, r.prompt.ids, "qkv-tokens", {
          selected: s.token,
          onPick: (t) => {
            view.token = t;
            drawBig();
            refreshQkv();
          },
        }),
      ),
      el("div", { class: "query-line" }, el("span", {}, `query q of ${JSON.stringify(showPiece(r.prompt.pieces[s.token]))} (d_k = ${hs}):`), strip(s.query, keyScale)),
      el(
        "div",
        { class: "qkv-scroll" },
        el(
          "table",
          { class: "qkv-table" },
          el("thead", {}, el("tr", {}, ...["token j", "key k_j", "q · k_j", p.scale ? `÷ √${hs} = score` : "score (not scaled)", "weight = softmax", "value v_j"].map((h) => el("th", {}, h)))),
          el("tbody", {}, ...rows),
        ),
      ),
      el("p", { class: "note" }, `Keys and the query share one colour scale (±${fmt(keyScale, 2)}), the values another (±${fmt(valueScale, 2)}). The weights add up to ${fmt(s.weights.reduce((a, b) => a + b, 0), 4)}.`),
    );
  },
);

// ——— wiring ———

function refresh(): void {
  if (!models.model()) return;
  showPatterns({ text: prompt.value(), causal: view.causal, scale: view.scale });
  refreshQkv();
}
function refreshQkv(): void {
  if (!models.model()) return;
  showQkv({ text: prompt.value(), layer: view.layer, head: view.head, token: Math.max(0, view.token < 0 ? MAX_TOKENS : view.token), causal: view.causal, scale: view.scale });
}
// a new model redraws everything; a model that trained a few more steps, the views on screen
const weightsChanged = whileVisible([
  [gridPanel, () => showPatterns({ text: prompt.value(), causal: view.causal, scale: view.scale })],
  [qkvPanel, refreshQkv],
]);
let lastShape = "";
models.onChange((m) => {
  const shape = JSON.stringify(m.config);
  if (shape === lastShape) return weightsChanged();
  lastShape = shape;
  refresh();
});
