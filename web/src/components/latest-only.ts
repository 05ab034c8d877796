// Keeps a view in step with controls that fire faster than the worker answers (a dragged slider): while
// one request runs, only the newest waiting one is kept, so no queue of stale work builds up. The view's
// element carries `data-busy` while work is pending, which tests wait on.

/**
 * Returns `update(p)`: runs `request(p)` then `show(result, p)`, for the latest `p` only. Errors go to
 * `fail`. `view` gets the attribute data-busy while a request is pending.
 */
export function latestOnly<P, R>(view: HTMLElement, request: (p: P) => Promise<R>, show: (r: R, p: P) => void, fail: (e: Error) => void): (p: P) => void {
  let running = false;
  let waiting: { p: P } | null = null;
  const run = async (p: P): Promise<void> => {
    running = true;
    view.dataset.busy = "true";
    try {
      show(await request(p), p);
    } catch (e) {
      fail(e instanceof Error ? e : new Error(String(e)));
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
