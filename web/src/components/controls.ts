// Small form controls with labels and live value readouts.

import { el } from "../shell.js";

/** A labelled range slider; `onInput` gets the number. The readout uses `format`. */
export function slider(
  label: string,
  o: { min: number; max: number; step: number; value: number; format?: (v: number) => string; testId?: string; log?: boolean },
  onInput: (v: number) => void,
): { element: HTMLElement; input: HTMLInputElement; value(): number; set(v: number): void } {
  const fmt = o.format ?? ((v: number) => String(v));
  // log sliders move over log10(value)
  const toPos = (v: number) => (o.log ? Math.log10(v) : v);
  const fromPos = (p: number) => (o.log ? 10 ** p : p);
  const stepPos = o.log ? (toPos(o.max) - toPos(o.min)) / 200 : o.step;
  // a range input snaps to min + k·step: log sliders start their grid just below min so that the
  // initial value lies on it (η = 3 stays 3, not the nearest grid point 2.95)
  const minPos = o.log ? toPos(o.value) - Math.ceil((toPos(o.value) - toPos(o.min)) / stepPos - 1e-9) * stepPos : o.min;
  const input = el("input", { type: "range", min: String(minPos), max: String(toPos(o.max)), step: String(stepPos), value: String(toPos(o.value)) });
  if (o.testId) input.dataset.testid = o.testId;
  const out = el("span", { class: "num" }, fmt(o.value));
  const value = () => fromPos(Number(input.value));
  input.addEventListener("input", () => {
    out.textContent = fmt(value());
    onInput(value());
  });
  const element = el("label", { class: "slider" }, `${label} `, input, " ", out);
  return {
    element,
    input,
    value,
    set(v: number) {
      input.value = String(toPos(v));
      out.textContent = fmt(v);
    },
  };
}

/** A button; returns it. */
export function button(label: string, onClick: () => void, testId?: string): HTMLButtonElement {
  const b = el("button", testId ? { "data-testid": testId } : {}, label);
  b.addEventListener("click", onClick);
  return b;
}

/** A titled panel (section) appended to `parent`; returns the section. */
export function panel(parent: HTMLElement, title: string, testId?: string): HTMLElement {
  const s = el("section", { class: "panel", ...(testId ? { "data-testid": testId } : {}) }, el("h2", {}, title));
  parent.append(s);
  return s;
}
