// The frame every page shares: a header with the lab's name, the lessons on one line (from lessons.ts)
// and the engine's state; the page's kicker, title and intro. Pages put their content into the returned <main>.

import "./style.css";
import { engine } from "./engine/client.js";
import { BEYOND, LESSONS } from "./lessons.js";

export { BEYOND, LESSONS, lesson, type Lesson } from "./lessons.js";

/** Builds an element: `el("div", { class: "x" }, child, "text")`. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

declare global {
  interface Window {
    /** The page's engine worker, for the browser console and for tests/benchmarks: `await nnlab.call("info", {})` (started on first use). */
    nnlab: ReturnType<typeof engine>;
  }
}

/** The one-line navigation: every lesson, linked when it exists, the current one marked. */
function lessonNav(current: number | null): HTMLElement {
  const nav = el("nav", { class: "lessons", "aria-label": "lessons" });
  for (const l of LESSONS) {
    const inner = [el("span", { class: "n" }, String(l.number)), el("span", { class: "short" }, l.short)];
    if (l.live) nav.append(el("a", { href: `./${l.page}`, title: `Lesson ${l.number}: ${l.title}`, ...(l.number === current ? { "aria-current": "page" } : {}) }, ...inner));
    else nav.append(el("span", { class: "soon", title: `Lesson ${l.number}: ${l.title} — coming soon` }, ...inner));
  }
  const here: Record<string, string> = location.pathname.endsWith(`/${BEYOND.page}`) ? { "aria-current": "page" } : {};
  nav.append(el("a", { href: `./${BEYOND.page}`, title: BEYOND.title, ...here }, el("span", { class: "n" }, "+"), el("span", { class: "short" }, BEYOND.short)));
  return nav;
}

/**
 * The engine's state, short: a dot and "engine ready" (details — backend, SIMD, threads — in the
 * title and beside it on wide screens). data-state: starting | ready | failed; data-backend once ready.
 */
function engineStatus(): HTMLElement {
  const label = el("span", { class: "label" }, "engine starting…");
  const detail = el("span", { class: "detail" });
  const status = el("span", { class: "engine-status", "data-testid": "engine-status", "data-state": "starting", role: "status" }, label, detail);
  engine()
    .call("info", {})
    .then((i) => {
      const threads = `${i.threads} thread${i.threads === 1 ? "" : "s"}`;
      label.textContent = "engine ready";
      detail.textContent = ` · ${i.backend}, ${threads}`;
      status.title = `The engine runs in a Web Worker on this page: ${i.backend}${i.simd ? ` with ${i.simd} SIMD` : ""}, ${threads}${i.crossOriginIsolated ? "" : " (page not cross-origin isolated: one thread)"}.`;
      status.dataset.backend = i.backend;
      status.dataset.state = "ready";
    })
    .catch((e: Error) => {
      label.textContent = "engine failed";
      status.title = `The engine failed to start: ${e.message}`;
      status.dataset.state = "failed";
    });
  return status;
}

/**
 * Renders the page frame and returns the element the page fills. `current`: the lesson's number, null
 * on the home page. The engine starts at once on every page, so its status always reaches "ready".
 */
export function shell(current: number | null, title: string, intro: string): HTMLElement {
  const app = document.getElementById("app")!;
  Object.defineProperty(window, "nnlab", { get: engine, configurable: true });
  const header = el("header", { class: "site" }, el("a", { href: "./index.html", class: "brand" }, "nn", el("span", {}, "lab")), lessonNav(current), engineStatus());
  const head = el("div", { class: "page-head" });
  if (current !== null) head.append(el("p", { class: "kicker" }, `Lesson ${current}`));
  head.append(el("h1", {}, title), el("p", { class: "intro" }, intro));
  const main = el("main");
  app.append(header, head, main);
  return main;
}
