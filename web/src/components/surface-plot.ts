// A cost surface over a 2-D slice as a heat map (log cost on surface.ts's viridis scale, dark = low) with
// several paths drawn over it, e.g. gradient descent with different batch sizes rolling downhill, and a
// legend naming them.

import "./surface-plot.css";
import { el } from "../shell.js";
import { viridis } from "./surface.js";

export interface SurfacePath {
  label: string;
  color: string;
  /** Coordinates along the two axes, one per step. */
  x: number[];
  y: number[];
}

/** Heat map of `surface[i][j]` at (axis[i], axis[j]) with paths over it; `size` CSS pixels square. */
export class SurfacePlot {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly legend: HTMLElement;

  /** `placeholder`: what the empty plot says until the first `draw` (an empty box says nothing). */
  constructor(size = 360, placeholder = "") {
    this.canvas = el("canvas", { class: "surface-plot" });
    this.canvas.width = size * devicePixelRatio;
    this.canvas.height = size * devicePixelRatio;
    this.canvas.style.width = `${size}px`;
    this.legend = el("div", { class: "surface-legend" });
    this.element = el("figure", { class: "surface" }, this.canvas, this.legend);
    if (placeholder) {
      this.empty = el("div", { class: "placeholder surface-empty" }, placeholder);
      this.element.append(this.empty);
      this.element.classList.add("is-empty");
    }
  }

  private empty: HTMLElement | null = null;

  draw(axis: number[], surface: number[][], paths: SurfacePath[]): void {
    this.empty?.remove();
    this.element.classList.remove("is-empty");
    const ctx = this.canvas.getContext("2d")!;
    const px = this.canvas.width;
    const n = axis.length;
    const lo = Math.log(Math.min(...surface.flat()));
    const hi = Math.log(Math.max(...surface.flat()));
    const cell = px / n;
    // column i is axis[i] along x; row j is axis[j] along y, upwards
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const [r, g, b] = viridis((Math.log(surface[i][j]) - lo) / (hi - lo || 1));
        ctx.fillStyle = `rgb(${r},${g},${b})`;
        ctx.fillRect(i * cell, px - (j + 1) * cell, cell + 0.5, cell + 0.5);
      }
    }
    const half = (axis[1] - axis[0]) / 2;
    const toPx = (v: number) => ((v - (axis[0] - half)) / (axis[n - 1] - axis[0] + 2 * half)) * px;
    ctx.lineWidth = 2 * devicePixelRatio;
    for (const p of paths) {
      ctx.strokeStyle = p.color;
      ctx.beginPath();
      p.x.forEach((x, s) => (s === 0 ? ctx.moveTo(toPx(x), px - toPx(p.y[s])) : ctx.lineTo(toPx(x), px - toPx(p.y[s]))));
      ctx.stroke();
    }
    this.legend.replaceChildren(...paths.map((p) => el("span", { class: "swatch-item" }, el("span", { class: "swatch", style: `background:${p.color}` }), p.label)));
  }
}
