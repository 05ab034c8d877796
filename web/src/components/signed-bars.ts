// Signed horizontal bars around a zero line: positive values grow right in green, negative ones left in
// red (the lessons' colours for "more" and "less"). One row per value, with its label and number; each
// row carries `data-value` so tests and readers can take the exact number.

import "./signed-bars.css";
import { el } from "../shell.js";

export interface SignedBarsOptions {
  /** Row labels, e.g. the digits 0–9. */
  labels: string[];
  /** `data-testid` of the whole list; rows get `${testId}-${i}`. */
  testId?: string;
  /** Format of the number beside each bar. */
  format?: (v: number) => string;
  /** Width in CSS pixels of each half (negative or positive side). */
  half?: number;
}

/** A list of signed bars; `update(values)` redraws them, scaled so the largest |value| fills a half. */
export class SignedBars {
  readonly element: HTMLElement;
  private readonly rows: { row: HTMLElement; bar: HTMLElement; num: HTMLElement }[];
  private readonly format: (v: number) => string;
  private readonly half: number;

  constructor(o: SignedBarsOptions) {
    this.format = o.format ?? ((v) => v.toFixed(3));
    this.half = o.half ?? 80;
    this.element = el("div", { class: "signed-bars", ...(o.testId ? { "data-testid": o.testId } : {}) });
    this.rows = o.labels.map((label, i) => {
      const bar = el("span", { class: "bar" });
      const num = el("span", { class: "num" });
      const track = el("span", { class: "track" }, bar);
      track.style.width = `${2 * this.half}px`;
      const row = el("div", { class: "signed-bar", ...(o.testId ? { "data-testid": `${o.testId}-${i}` } : {}) }, el("span", { class: "label" }, label), track, num);
      this.element.append(row);
      return { row, bar, num };
    });
  }

  /** Draws `values` (one per label); `scale` is the |value| that fills a half (default: the largest). */
  update(values: ArrayLike<number>, scale?: number): void {
    let max = scale ?? 0;
    if (scale === undefined) for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
    this.rows.forEach(({ row, bar, num }, i) => {
      const v = values[i];
      const w = max > 0 ? Math.min(1, Math.abs(v) / max) * this.half : 0;
      bar.style.width = `${w}px`;
      bar.style.left = v >= 0 ? `${this.half}px` : `${this.half - w}px`;
      bar.classList.toggle("neg", v < 0);
      num.textContent = this.format(v);
      row.dataset.value = String(v);
    });
  }

  /** Marks rows (e.g. the label's digit) with the class "marked". */
  mark(which: (i: number) => boolean): void {
    this.rows.forEach(({ row }, i) => row.classList.toggle("marked", which(i)));
  }
}
