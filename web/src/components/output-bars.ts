// The network's outputs as labelled horizontal bars (one per digit), the network's answer highlighted.
// The answer is also in the DOM as `data-testid="prediction"` with the label as its text.

import "./output-bars.css";
import { el } from "../shell.js";

/** Bars for values in [0, 1] (longer values are clipped to the full bar). */
export class OutputBars {
  readonly element: HTMLElement;
  /** The highlighted label's text; empty while there is nothing to show. */
  readonly prediction: HTMLElement;
  private readonly rows: { row: HTMLElement; bar: HTMLElement; value: HTMLElement }[];

  /** `labels[i]` names output i (e.g. "0".."9"). */
  constructor(readonly labels: string[]) {
    this.prediction = el("strong", { class: "prediction", "data-testid": "prediction" });
    this.rows = labels.map((label) => {
      const bar = el("span", { class: "bar" });
      const value = el("span", { class: "num value" });
      const row = el("div", { class: "output-row", "data-label": label }, el("span", { class: "label" }, label), el("span", { class: "track" }, bar), value);
      return { row, bar, value };
    });
    this.element = el("div", { class: "output-bars" }, el("p", {}, "answer: ", this.prediction), ...this.rows.map((r) => r.row));
  }

  /** Shows `values` (one per label) with output `best` highlighted as the answer; null clears the bars. */
  show(values: ArrayLike<number> | null, best = -1): void {
    this.rows.forEach((r, i) => {
      const v = values ? values[i] : 0;
      r.bar.style.width = `${Math.max(0, Math.min(1, v)) * 100}%`;
      r.value.textContent = values ? v.toFixed(3) : "";
      r.row.classList.toggle("best", values !== null && i === best);
    });
    this.prediction.textContent = values && best >= 0 ? this.labels[best] : "";
  }
}
