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
