// Attention patterns as pictures (lesson 6): a T × T grid where row t is the attending token (its
// query) and column j the attended one (its key), the weight as the strength of the accent colour (by √w).
// `attentionThumb` is a small canvas for the grid of every head; `attentionTable` the enlarged one with
// the tokens on both axes, its weights in `data-pattern` and each cell's weight in its title.

import "./attention-map.css";
import { el } from "../shell.js";
import { cssVar } from "../theme.js";

/** "#1f5fd6" → [31, 95, 214]. */
function rgb(hex: string): [number, number, number] {
  const h = hex.replace("#", "");
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

/**
 * The colour of weight w in [0, 1]: the panel's white at 0, the accent at 1, by √w so that the small
 * weights of a head that spreads its attention still show (the exact weight is in each cell's title).
 */
function weightColour(w: number, accent: [number, number, number]): string {
  const t = Math.sqrt(Math.max(0, Math.min(1, w)));
  const [r, g, b] = accent.map((c) => Math.round(255 + (c - 255) * t));
  return `rgb(${r},${g},${b})`;
}

/** Whether a cell is hidden by the causal mask (a later key). */
const masked = (causal: boolean, t: number, j: number) => causal && j > t;

/** Draws head pattern `p` (T × T, row-major) into a canvas `size` CSS pixels square; masked cells grey. */
export function drawAttentionThumb(canvas: HTMLCanvasElement, p: ArrayLike<number>, T: number, causal: boolean, size = 96): void {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(size * dpr);
  canvas.height = Math.round(size * dpr);
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
  const ctx = canvas.getContext("2d")!;
  const accent = rgb(cssVar("--accent", "#1f5fd6"));
  const sunken = cssVar("--panel-sunken", "#f2f4f7");
  const cell = canvas.width / T;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < T; j++) {
      ctx.fillStyle = masked(causal, t, j) ? sunken : weightColour(p[t * T + j], accent);
      // cells overlap by a pixel so no seams show between them
      ctx.fillRect(Math.floor(j * cell), Math.floor(t * cell), Math.ceil(cell) + 1, Math.ceil(cell) + 1);
    }
  }
}

/**
 * The enlarged pattern: a table with the tokens as row (query) and column (key) headers. `onPickRow`
 * makes the row headers buttons (choosing the attending token); `selectedRow` is highlighted.
 */
export function attentionTable(p: ArrayLike<number>, pieces: string[], o: { causal: boolean; selectedRow?: number; onPickRow?: (t: number) => void; testId?: string }): HTMLElement {
  const T = pieces.length;
  const accent = rgb(cssVar("--accent", "#1f5fd6"));
  const rows: number[][] = [];
  const head = el("tr", {}, el("th", { class: "corner" }, "query ↓ · key →"));
  for (const piece of pieces) head.append(el("th", { class: "key", scope: "col" }, el("span", {}, piece)));
  const body = el("tbody");
  for (let t = 0; t < T; t++) {
    const label = o.onPickRow ? el("button", { class: "row-pick", title: `look at token ${t}'s query, keys and values` }, pieces[t]) : pieces[t];
    const tr = el("tr", t === o.selectedRow ? { class: "selected" } : {}, el("th", { class: "query", scope: "row" }, label));
    if (o.onPickRow && label instanceof HTMLButtonElement) label.addEventListener("click", () => o.onPickRow!(t));
    const row: number[] = [];
    for (let j = 0; j < T; j++) {
      const w = p[t * T + j];
      row.push(w);
      const hidden = masked(o.causal, t, j);
      tr.append(el("td", { class: hidden ? "masked" : "", style: hidden ? "" : `background:${weightColour(w, accent)}`, title: hidden ? `${pieces[t]} → ${pieces[j]}: masked (a later token)` : `${pieces[t]} → ${pieces[j]}: ${w.toFixed(3)}` }));
    }
    rows.push(row);
    body.append(tr);
  }
  // short pieces (characters) stand upright over their columns; longer ones are turned to fit
  const upright = pieces.every((piece) => [...piece].length <= 2);
  const table = el("table", { class: `attention-table${upright ? " upright" : ""}`, ...(o.testId ? { "data-testid": o.testId } : {}), "data-pattern": JSON.stringify(rows), "data-causal": String(o.causal) }, el("thead", {}, head), body);
  return el("div", { class: "attention-scroll" }, table);
}
