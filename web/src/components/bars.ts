// A column of labelled horizontal bars for a handful of values in [0, 1] or [0, max] (a network's ten outputs, a
// target, shares), each with its number; one bar may be highlighted (the answer). Built once and updated
// in place, so a live readout costs no new DOM.

import "./bars.css";
import { el } from "../shell.js";

export interface BarsOptions {
  /** One label per bar; their number is the number of bars. */
  labels: string[];
  /** Digits after the decimal point of the numbers shown (default 3). */
  digits?: number;
  /** The value that fills a bar (default 1): bars show [0, max], the numbers as they are. */
  max?: number;
  testId?: string;
}

export class Bars {
  readonly element: HTMLElement;
  private readonly rows: { row: HTMLElement; fill: HTMLElement; value: HTMLElement }[];

  constructor(private readonly o: BarsOptions) {
    this.element = el("div", { class: "bars", ...(o.testId ? { "data-testid": o.testId } : {}) });
    this.rows = o.labels.map((label) => {
      const fill = el("span", { class: "bar-fill" });
      const value = el("span", { class: "num" });
      const row = el("div", { class: "bar" }, el("span", { class: "bar-label" }, label), el("span", { class: "bar-track" }, fill), value);
      this.element.append(row);
      return { row, fill, value };
    });
  }

  /** Shows `values` (the bar clamped to [0, max], the number as it is), highlighting bar `highlight`. */
  set(values: ArrayLike<number>, highlight = -1): this {
    this.rows.forEach(({ row, fill, value }, i) => {
      const v = values[i];
      fill.style.width = `${Math.max(0, Math.min(1, v / (this.o.max ?? 1))) * 100}%`;
      value.textContent = v.toFixed(this.o.digits ?? 3);
      row.dataset.value = String(v);
      row.classList.toggle("highlight", i === highlight);
    });
    return this;
  }
}

/** Labels "0" … "9" for a network's ten outputs. */
export const DIGITS = Array.from({ length: 10 }, (_, d) => String(d));
