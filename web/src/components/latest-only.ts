// Keeps a view in step with controls that fire faster than the worker answers (a dragged slider): while
// one request runs, only the newest waiting one is kept, so no queue of stale work builds up. The view's
// element carries `data-busy` while work is pending, which tests wait on, and shows what went wrong.

import "./latest-only.css";
import { el } from "../shell.js";

/** Shows an error in a view (replacing an earlier one) and in its `data-error`. */
export function showError(view: HTMLElement, e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  view.dataset.error = message;
  view.querySelector(":scope > .error")?.remove();
  view.append(el("p", { class: "error" }, message));
}

/**
 * Returns `update(p)`: runs `request(p)` then `show(result, p)`, for the latest `p` only; errors are
 * shown in `view`, which has the attribute data-busy while a request is pending.
 */
export function latestOnly<P, R>(view: HTMLElement, request: (p: P) => Promise<R>, show: (r: R, p: P) => void): (p: P) => void {
  let running = false;
  let waiting: { p: P } | null = null;
  const run = async (p: P): Promise<void> => {
    running = true;
    view.dataset.busy = "true";
    try {
      show(await request(p), p);
      view.querySelector(":scope > .error")?.remove();
      delete view.dataset.error;
    } catch (e) {
      showError(view, e);
    }
    if (waiting) {
      const next = waiting.p;
      waiting = null;
      return run(next);
    }
    running = false;
    delete view.dataset.busy;
  };
  return (p) => {
    if (running) waiting = { p };
    else void run(p);
  };
}
