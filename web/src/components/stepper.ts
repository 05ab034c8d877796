// A whole-number input with previous/next buttons (e.g. which training image to look at).

import { el } from "../shell.js";
import { button } from "./controls.js";

/** A labelled number field in [min, max] with ‹ › buttons; `onChange` gets each new valid value. */
export function stepper(
  label: string,
  o: { min: number; max: number; value: number; testId?: string },
  onChange: (v: number) => void,
): { element: HTMLElement; value(): number; set(v: number): void } {
  const input = el("input", { type: "number", min: String(o.min), max: String(o.max), step: "1", value: String(o.value), class: "num" });
  if (o.testId) input.dataset.testid = o.testId;
  let current = o.value;
  const go = (v: number) => {
    if (!Number.isInteger(v) || v < o.min || v > o.max) {
      input.value = String(current);
      return;
    }
    current = v;
    input.value = String(v);
    onChange(v);
  };
  input.addEventListener("change", () => go(Number(input.value)));
  const prev = button("‹", () => go(current - 1), o.testId ? `${o.testId}-prev` : undefined);
  const next = button("›", () => go(current + 1), o.testId ? `${o.testId}-next` : undefined);
  prev.title = "previous";
  next.title = "next";
  return {
    element: el("label", { class: "stepper" }, `${label} `, prev, input, next),
    value: () => current,
    set(v: number) {
      current = v;
      input.value = String(v);
    },
  };
}
