// One layer as the lesson's matrix equation a⁽ˡ⁾ = σ(W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾): W as a heat map (one row
// per neuron, one column per input; green positive, red negative), the previous layer's activations as
// a strip lying over W's columns (so each weight sits under the value it multiplies), then the columns
// b, z = W a + b and a = σ(z). One row at a time is highlighted: the one being computed.

import "./matrix-view.css";
import { el } from "../shell.js";
import { drawTile, maxAbs, readableCell, tileColor } from "./tile.js";

/** Everything the view shows for one layer l and one input; the numbers come from the engine. */
export interface MatrixLayer {
  /** l, 1-based. */
  layer: number;
  /** W⁽ˡ⁾, `rows` × `cols`, row-major. */
  weights: Float32Array;
  rows: number;
  cols: number;
  biases: Float32Array;
  /** a⁽ˡ⁻¹⁾ (`cols` values), z⁽ˡ⁾ and a⁽ˡ⁾ (`rows` values each). */
  input: Float32Array;
  z: Float32Array;
  output: Float32Array;
  /** The activation function's name, written into the equation (σ for sigmoid). */
  activation: string;
}

const sub = (n: number) => String(n).replace(/\d/g, (d) => "₀₁₂₃₄₅₆₇₈₉"[Number(d)]);
const sup = (n: number) => String(n).replace(/\d/g, (d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[Number(d)]);

/** CSS width of W's heat map and the strip over it: beside the b, z, a columns it fits a lesson panel. */
const HEAT_WIDTH = 520;

/** The matrix form of one layer, with a highlighted row that can follow the pointer or step by itself. */
export class MatrixView {
  readonly element: HTMLElement;
  private readonly equation = el("p", { class: "equation" });
  private readonly stripLabel = el("span", { class: "muted strip-label" });
  private readonly strip = document.createElement("canvas");
  private readonly heat = document.createElement("canvas");
  private readonly rowMark = el("div", { class: "row-mark" });
  private readonly vectorTitles = el("div", { class: "vectors vector-titles" });
  private readonly vectors = el("div", { class: "vectors" });
  private readonly readout = el("p", { class: "num readout", "data-testid": "matrix-row" });
  private data: MatrixLayer | null = null;
  private row = 0;
  private rowHeight = 14;
  private timer: ReturnType<typeof setInterval> | null = null;
  private pointerRow: number | null = null;
  private readonly rowListeners: ((row: number) => void)[] = [];

  constructor() {
    this.strip.className = "pixelated a-strip";
    this.heat.className = "pixelated w-heat";
    const matrix = el("div", { class: "w-box" }, this.heat, this.rowMark);
    this.heat.addEventListener("pointermove", (e) => {
      const r = this.heat.getBoundingClientRect();
      this.pointerRow = Math.min(Math.floor(((e.clientY - r.top) / r.height) * (this.data?.rows ?? 1)), (this.data?.rows ?? 1) - 1);
      this.setRow(this.pointerRow);
    });
    this.heat.addEventListener("pointerleave", () => (this.pointerRow = null));
    this.element = el(
      "div",
      { class: "matrix-view", "data-testid": "matrix-view" },
      this.equation,
      // a 2 × 2 grid: the a strip above W, the vectors to the right of W
      el("div", { class: "matrix-grid" }, el("div", { class: "strip-box" }, this.stripLabel, this.strip), this.vectorTitles, matrix, this.vectors),
      this.readout,
    );
  }

  /** Calls `fn` whenever the highlighted row changes. */
  onRow(fn: (row: number) => void): void {
    this.rowListeners.push(fn);
  }

  /** Shows a layer for one input. */
  show(d: MatrixLayer): void {
    const layerChanged = this.data?.layer !== d.layer || this.data.cols !== d.cols;
    this.data = d;
    const l = d.layer;
    const f = d.activation === "sigmoid" ? "σ" : d.activation;
    this.equation.textContent = `a${sup(l)} = ${f}( W${sup(l)} a${sup(l - 1)} + b${sup(l)} )    W${sup(l)}: ${d.rows} × ${d.cols}`;
    // one canvas pixel per weight, shown HEAT_WIDTH wide for every layer (784 columns squeezed, 16 widened)
    const width = `${HEAT_WIDTH}px`;
    this.rowHeight = Math.max(3, Math.min(14, Math.floor(240 / d.rows)));
    drawTile(this.heat, d.weights, d.cols, d.rows, "diverging");
    this.heat.classList.toggle("squeezed", d.cols > HEAT_WIDTH);
    this.strip.classList.toggle("squeezed", d.cols > HEAT_WIDTH);
    this.heat.style.width = width;
    this.heat.style.height = `${d.rows * this.rowHeight}px`;
    let top = 1;
    for (const v of d.input) top = Math.max(top, v);
    drawTile(this.strip, d.input, d.cols, 1, "ink", top);
    this.strip.style.width = width;
    this.strip.style.height = "14px";
    this.stripLabel.textContent = `a${sup(l - 1)} (${d.cols} values) lying over the columns of W${sup(l)}:`;
    if (layerChanged) this.row = 0;
    this.drawVectors();
  }

  /** Highlights row `k` (neuron k of the layer). */
  setRow(k: number): void {
    if (!this.data || k === this.row) return;
    this.row = k;
    this.drawVectors();
    for (const fn of this.rowListeners) fn(k);
  }

  /** Steps the highlight through the rows, one every `ms` milliseconds, while the pointer is not on W. */
  play(ms = 700): void {
    this.stop();
    this.timer = setInterval(() => {
      if (this.data && this.pointerRow === null) this.setRow((this.row + 1) % this.data.rows);
    }, ms);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private drawVectors(): void {
    const d = this.data;
    if (!d) return;
    const k = this.row;
    const l = d.layer;
    this.rowMark.style.top = `${k * this.rowHeight}px`;
    this.rowMark.style.height = `${this.rowHeight}px`;
    const numbers = this.rowHeight >= 12;
    const column = (values: Float32Array, style: "diverging" | "ink", testId: string) => {
      const scale = style === "diverging" ? maxAbs(values) : 1;
      const cells = Array.from(values, (v, i) => {
        // a cell with its number: white or dark text, the cell lightened where neither reads (WCAG AA)
        const { background: [r, g, b], text } = numbers ? readableCell(tileColor(v, style, scale)) : { background: tileColor(v, style, scale), text: "" };
        return el("span", { class: `cell${i === k ? " current" : ""}`, style: `height:${this.rowHeight}px;background:rgb(${r},${g},${b});color:${text}`, "data-value": String(v) }, numbers ? v.toFixed(2) : "");
      });
      return el("div", { class: "vector", "data-testid": testId }, ...cells);
    };
    const title = (text: string) => el("span", { class: "vector" }, text);
    this.vectorTitles.replaceChildren(title(`b${sup(l)}`), title(`z${sup(l)}`), title(`a${sup(l)}`));
    this.vectors.replaceChildren(column(d.biases, "diverging", "matrix-b"), column(d.z, "diverging", "matrix-z"), column(d.output, "ink", "matrix-a"));
    const f = d.activation === "sigmoid" ? "σ" : d.activation;
    this.readout.dataset.row = String(k);
    this.readout.textContent = `row ${k}: z${sub(k)} = (row ${k} of W${sup(l)}) · a${sup(l - 1)} + b${sub(k)} = ${d.z[k].toFixed(3)}  (b${sub(k)} = ${d.biases[k].toFixed(3)});  a${sup(l)}${sub(k)} = ${f}(z${sub(k)}) = ${d.output[k].toFixed(3)}`;
  }
}
