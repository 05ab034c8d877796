// A live parameter counter: type layer sizes ("784,16,16,10") and read how many weights and biases
// such a network has, layer by layer (nₗ₋₁·nₗ weights + nₗ biases), with the engine's own formula.

import "./param-counter.css";
import { mlpLayerParameterCounts, mlpParameterCount } from "../../../src/models/parameter-count.js";
import { el } from "../shell.js";

const count = (n: number) => n.toLocaleString("en-US");

/** Layer sizes from text such as "784, 16, 16, 10"; a message saying what is wrong otherwise. */
export function parseSizes(text: string): number[] | string {
  const parts = text.split(/[\s,;×-]+/).filter((p) => p !== "");
  if (parts.length < 2) return "type at least two layer sizes, input first: 784, 16, 16, 10";
  const sizes = parts.map(Number);
  const bad = parts.find((p, i) => !/^\d+$/.test(p) || sizes[i] < 1 || sizes[i] > 1_000_000);
  if (bad !== undefined) return `"${bad}" is not a layer size: use whole numbers from 1 to 1,000,000`;
  return sizes;
}

/** The counter: a text field, the total and the per-layer sum; `element` goes into the page. */
export function paramCounter(initial = "784, 16, 16, 10"): HTMLElement {
  const input = el("input", { type: "text", value: initial, spellcheck: "false", "data-testid": "param-sizes", "aria-label": "layer sizes, input first" });
  const total = el("strong", { class: "num", "data-testid": "param-total" });
  const breakdown = el("ol", { class: "num param-layers", "data-testid": "param-layers" });
  const message = el("p", { class: "muted" });
  const update = () => {
    const sizes = parseSizes(input.value);
    breakdown.replaceChildren();
    if (typeof sizes === "string") {
      total.textContent = "—";
      message.textContent = sizes;
      return;
    }
    message.textContent = "";
    mlpLayerParameterCounts(sizes).forEach(({ weights, biases }, i) => {
      breakdown.append(el("li", {}, `layer ${i + 1}: ${count(sizes[i])}·${count(sizes[i + 1])} = ${count(weights)} weights + ${count(biases)} biases = ${count(weights + biases)}`));
    });
    total.textContent = count(mlpParameterCount(sizes));
  };
  input.addEventListener("input", update);
  update();
  return el("div", { class: "param-counter" }, el("label", {}, "layer sizes ", input), el("p", {}, "weights and biases: ", total), breakdown, message);
}
