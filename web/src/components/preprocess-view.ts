// MNIST's preprocessing shown step by step as small pictures: the drawing with the ink's bounding box,
// the crop, the crop scaled into 20×20, and the 28×28 input with its centre of mass marked at (14, 14).

import "./preprocess-view.css";
import type { PreprocessSteps } from "../engine/methods/lesson1.js";
import { el } from "../shell.js";
import { drawTile } from "./tile.js";

/** CSS pixels per MNIST pixel in the small pictures. */
const SCALE = 3;

/** A captioned picture. */
function figure(caption: HTMLElement, ...content: HTMLElement[]): HTMLElement {
  return el("figure", { class: "step" }, el("div", { class: "step-picture" }, ...content), caption);
}

/** The four steps; `show` redraws them for a drawing and what the worker made of it. */
export class PreprocessView {
  readonly element: HTMLElement;
  private readonly drawn = document.createElement("canvas");
  private readonly cropped = document.createElement("canvas");
  private readonly scaled = document.createElement("canvas");
  private readonly centered = document.createElement("canvas");
  private readonly mass = el("span", { class: "center-mark", title: "centre of mass" });
  private readonly captions = [0, 1, 2, 3].map(() => el("figcaption", {}));

  constructor() {
    this.drawn.width = this.drawn.height = 28 * SCALE;
    this.drawn.className = "drawn-thumb";
    this.element = el(
      "div",
      { class: "preprocess-steps", "data-testid": "preprocess-steps" },
      figure(this.captions[0], this.drawn),
      figure(this.captions[1], this.cropped),
      figure(this.captions[2], el("div", { class: "frame20" }, this.scaled)),
      figure(this.captions[3], el("div", { class: "frame28" }, this.centered, this.mass)),
    );
    this.show(null, null);
  }

  /** Draws the steps of `steps` for the drawing on `source`; nulls show empty frames. */
  show(source: HTMLCanvasElement | null, steps: PreprocessSteps | null): void {
    const ctx = this.drawn.getContext("2d")!;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, this.drawn.width, this.drawn.height);
    const size = source?.width ?? 280;
    if (source) ctx.drawImage(source, 0, 0, this.drawn.width, this.drawn.height);
    this.captions[0].textContent = `1. your drawing, ${size}×${size}`;
    if (!steps) {
      for (const c of [this.cropped, this.scaled, this.centered]) drawTile(c, new Float32Array(1), 1, 1);
      this.captions[1].textContent = "2. crop to the ink";
      this.captions[2].textContent = "3. scale into 20×20";
      this.captions[3].textContent = "4. centre of mass to (14, 14) in 28×28";
      this.mass.hidden = true;
      return;
    }
    const k = this.drawn.width / size;
    ctx.strokeStyle = "#f5b400";
    ctx.lineWidth = 1;
    ctx.strokeRect(steps.box.x * k + 0.5, steps.box.y * k + 0.5, steps.box.width * k, steps.box.height * k);
    const { cropped, scaled20, centered28, centerOfMass } = steps;
    // the crop at the drawing's resolution, shown at most 28·SCALE pixels on its longer side
    drawTile(this.cropped, cropped.pixels, cropped.width, cropped.height);
    const fit = (28 * SCALE) / Math.max(cropped.width, cropped.height);
    this.cropped.style.width = `${cropped.width * fit}px`;
    this.cropped.style.height = `${cropped.height * fit}px`;
    this.captions[1].textContent = `2. crop to the ink: ${cropped.width}×${cropped.height}`;
    drawTile(this.scaled, scaled20.pixels, scaled20.width, scaled20.height);
    this.scaled.style.width = `${scaled20.width * SCALE}px`;
    this.scaled.style.height = `${scaled20.height * SCALE}px`;
    this.captions[2].textContent = `3. scale into 20×20: ${scaled20.width}×${scaled20.height}`;
    drawTile(this.centered, centered28.pixels, 28, 28);
    this.mass.hidden = false;
    this.mass.style.left = `${(centerOfMass.x + 0.5) * SCALE}px`;
    this.mass.style.top = `${(centerOfMass.y + 0.5) * SCALE}px`;
    this.captions[3].textContent = `4. centre of mass (${centerOfMass.x.toFixed(1)}, ${centerOfMass.y.toFixed(1)}) in 28×28`;
  }
}
