// A canvas to draw a digit on with the mouse, a pen or a finger (pointer events): white ink on black as
// MNIST stores it, with a thick brush whose edge fades like the anti-aliased strokes of MNIST digits.
// It keeps its full resolution; the MNIST preprocessing (in the worker) does the downscaling.

import "./draw-canvas.css";
import { el } from "../shell.js";
import { button } from "./controls.js";

/** Options of {@link DrawCanvas}. */
export interface DrawCanvasOptions {
  /** Pixels per side of the drawing (default 280, ten per MNIST pixel). */
  size?: number;
  /** Brush radius in drawing pixels (default 11: strokes about as thick, relative to the digit, as MNIST's). */
  brush?: number;
}

/** A square drawing surface; `onChange` listeners hear every change (once per animation frame at most). */
export class DrawCanvas {
  readonly element: HTMLCanvasElement;
  readonly size: number;
  /** Counts changes (also in the element's `data-revision`); a reading can say which revision it answers. */
  revision = 0;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly brush: number;
  private readonly listeners: (() => void)[] = [];
  private last: { x: number; y: number } | null = null;
  private pending = false;

  constructor(o: DrawCanvasOptions = {}) {
    this.size = o.size ?? 280;
    this.brush = o.brush ?? 11;
    this.element = document.createElement("canvas");
    this.element.width = this.element.height = this.size;
    this.element.className = "draw-canvas";
    this.element.dataset.testid = "draw-canvas";
    this.ctx = this.element.getContext("2d", { willReadFrequently: true })!;
    this.clear();
    this.element.addEventListener("pointerdown", (e) => {
      this.element.setPointerCapture(e.pointerId);
      this.last = this.toCanvas(e);
      this.dab(this.last);
      this.changed();
    });
    this.element.addEventListener("pointermove", (e) => {
      if (!this.last) return;
      // coalesced events carry every position the pointer passed since the last frame (smoother fast strokes)
      for (const p of e.getCoalescedEvents?.() ?? [e]) this.strokeTo(this.toCanvas(p));
      this.changed();
    });
    const end = () => (this.last = null);
    this.element.addEventListener("pointerup", end);
    this.element.addEventListener("pointercancel", end);
  }

  /** The canvas with its clear button and a hint under it, as every drawing page lays them out. */
  box(): HTMLElement {
    const controls = el("div", { class: "row" }, button("clear", () => this.clear(), "clear"), el("span", { class: "muted" }, "mouse, pen or finger"));
    return el("div", { class: "draw-box" }, this.element, controls);
  }

  /** Calls `fn` after the drawing changed. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Wipes the drawing to black. */
  clear(): void {
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.size, this.size);
    this.changed();
  }

  /** The drawing as `size × size` grey levels in [0, 1] (1 = ink), row by row. */
  pixels(): Float32Array {
    const rgba = this.ctx.getImageData(0, 0, this.size, this.size).data;
    const out = new Float32Array(this.size * this.size);
    for (let i = 0; i < out.length; i++) out[i] = rgba[4 * i] / 255;
    return out;
  }

  private toCanvas(e: PointerEvent): { x: number; y: number } {
    const r = this.element.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.size, y: ((e.clientY - r.top) / r.height) * this.size };
  }

  /** Dabs the brush every few pixels along the segment from the last point to `p`. */
  private strokeTo(p: { x: number; y: number }): void {
    const from = this.last!;
    const steps = Math.max(1, Math.ceil(Math.hypot(p.x - from.x, p.y - from.y) / (this.brush / 4)));
    for (let s = 1; s <= steps; s++) this.dab({ x: from.x + ((p.x - from.x) * s) / steps, y: from.y + ((p.y - from.y) * s) / steps });
    this.last = p;
  }

  /** One round brush mark: solid white in the middle, fading to nothing at the rim. */
  private dab({ x, y }: { x: number; y: number }): void {
    const g = this.ctx.createRadialGradient(x, y, 0, x, y, this.brush);
    g.addColorStop(0, "rgba(255,255,255,1)");
    g.addColorStop(0.55, "rgba(255,255,255,0.9)");
    g.addColorStop(1, "rgba(255,255,255,0)");
    this.ctx.fillStyle = g;
    this.ctx.beginPath();
    this.ctx.arc(x, y, this.brush, 0, 2 * Math.PI);
    this.ctx.fill();
  }

  private changed(): void {
    this.revision++;
    this.element.dataset.revision = String(this.revision);
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      for (const fn of this.listeners) fn();
    });
  }
}
