// A vector as one row of coloured cells (diverging: green positive, red negative, as the weight tiles),
// for the small vectors of backpropagation's matrix form: ∇ₐC, σ′(z), δ. The exact values are in the
// element's `data-values` and the hovered cell's value in its title.

import "./heat-strip.css";
import { drawTile, maxAbs } from "./tile.js";

/** A canvas strip of `values.length` cells, `cell` CSS pixels each; `update` redraws. */
export class HeatStrip {
  readonly element: HTMLCanvasElement;
  private values: number[] = [];

  constructor(private readonly cell = 14, testId?: string) {
    this.element = document.createElement("canvas");
    this.element.className = "heat-strip";
    if (testId) this.element.dataset.testid = testId;
    this.element.addEventListener("mousemove", (e) => {
      const i = Math.floor(e.offsetX / this.cell);
      if (i >= 0 && i < this.values.length) this.element.title = `[${i}] ${this.values[i].toPrecision(4)}`;
    });
  }

  /** Draws `values`; `scale` is the |value| drawn at full colour (default: the largest). */
  update(values: ArrayLike<number>, scale = maxAbs(values)): void {
    this.values = Array.from(values);
    drawTile(this.element, values, values.length, 1, "diverging", scale);
    this.element.style.width = `${values.length * this.cell}px`;
    this.element.style.height = `${this.cell}px`;
    this.element.dataset.values = this.values.join(",");
  }
}

/**
 * A heat strip `width` CSS pixels wide whatever its length (so strips of 16 and 10 values line up), with
 * each cell's index under it and its colour scale (−m … 0 … +m) beside it.
 */
export class LabelledStrip {
  readonly element: HTMLElement;
  readonly strip: HeatStrip;
  private readonly indices = document.createElement("div");
  private readonly scale = document.createElement("span");

  constructor(length: number, width = 240, testId?: string) {
    this.strip = new HeatStrip(width / length, testId);
    this.indices.className = "strip-indices";
    this.indices.style.gridTemplateColumns = `repeat(${length}, 1fr)`;
    this.indices.style.width = `${width}px`;
    for (let i = 0; i < length; i++) this.indices.append(Object.assign(document.createElement("span"), { textContent: String(i) }));
    this.scale.className = "strip-scale";
    const box = document.createElement("div");
    box.className = "strip-with-indices";
    box.append(this.strip.element, this.indices);
    this.element = document.createElement("div");
    this.element.className = "labelled-strip";
    this.element.append(box, this.scale);
  }

  /** Draws `values` on the symmetric scale ±max|value| and writes the scale beside the strip. */
  update(values: ArrayLike<number>): void {
    const m = maxAbs(values);
    this.strip.update(values, m);
    this.scale.replaceChildren(swatch(m), ` ±${m.toPrecision(2)}`);
    this.scale.title = `colour scale: red −${m.toPrecision(3)}, black 0, green +${m.toPrecision(3)}`;
  }
}

/** A small gradient from −m (red) through 0 (black) to +m (green), the strips' colour scale. */
function swatch(m: number): HTMLCanvasElement {
  const c = document.createElement("canvas");
  drawTile(c, Array.from({ length: 21 }, (_, i) => ((i - 10) / 10) * (m || 1)), 21, 1, "diverging", m || 1);
  c.className = "strip-swatch";
  return c;
}
