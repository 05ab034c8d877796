// Small views lessons 5 and 6 share: the prompt box, tokens as chips with their ids, and how a token's
// text is shown (spaces and line ends made visible).

import "./gpt-shared.css";
import { el } from "../shell.js";

/** A token's text for display: a space as ␣, a line end as ↵, a tab as ⇥. */
export function showPiece(piece: string): string {
  return piece.replace(/ /g, "␣").replace(/\n/g, "↵").replace(/\t/g, "⇥");
}

/** The default prompt: Hamlet, whose next characters a model trained on Shakespeare can guess. */
export const DEFAULT_PROMPT = "HAMLET:\nTo be, or not to be, that is the";

/** A labelled prompt box; `onInput` fires as the learner types. */
export function promptBox(onInput: (text: string) => void, rows = 3): { element: HTMLElement; input: HTMLTextAreaElement; value(): string; set(text: string): void } {
  const input = el("textarea", { rows: String(rows), spellcheck: "false", "data-testid": "prompt", "aria-label": "prompt" });
  input.value = DEFAULT_PROMPT;
  input.addEventListener("input", () => onInput(input.value));
  return {
    element: el("label", { class: "prompt" }, el("span", { class: "prompt-label" }, "Prompt"), input),
    input,
    value: () => input.value,
    set(text: string) {
      input.value = text;
      onInput(text);
    },
  };
}

/** Tokens as chips: the text of each token over its id. `data-ids` holds the ids. */
export function tokenChips(pieces: string[], ids: number[], testId: string, options: { selected?: number; onPick?: (i: number) => void } = {}): HTMLElement {
  const list = el("ol", { class: "token-chips", "data-testid": testId, "data-ids": ids.join(","), "data-count": String(ids.length) });
  pieces.forEach((p, i) => {
    const attrs: Record<string, string> = { class: "chip", title: `token ${i}: ${JSON.stringify(p)} = id ${ids[i]}` };
    if (i === options.selected) attrs["aria-current"] = "true";
    const chip = el(options.onPick ? "button" : "span", attrs, el("span", { class: "piece" }, showPiece(p)), el("span", { class: "id" }, String(ids[i])));
    if (options.onPick) chip.addEventListener("click", () => options.onPick!(i));
    list.append(el("li", {}, chip));
  });
  return list;
}

/**
 * Redraws that follow a model while it trains (a few times a second) run only for views on screen; a
 * view scrolled away is marked stale and redrawn when it comes back into view. Returns `changed()`, to
 * call when the model changes.
 */
export function whileVisible(views: [Element, () => void][]): () => void {
  const visible = new Map<Element, boolean>();
  const stale = new Set<Element>();
  const redraws = new Map(views);
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      visible.set(e.target, e.isIntersecting);
      if (e.isIntersecting && stale.delete(e.target)) redraws.get(e.target)!();
    }
  });
  for (const [element] of views) observer.observe(element);
  return () => {
    for (const [element, redraw] of views) {
      if (visible.get(element)) redraw();
      else stale.add(element);
    }
  };
}
