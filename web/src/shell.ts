// The frame every page shares: the lesson list (room for lessons 5–7), the page title, and a status
// line showing what the engine runs on. Pages put their content into the returned <main>.

import "./style.css";
import { engine } from "./engine/client.js";

export interface Lesson {
  page: string;
  number: number;
  title: string;
  /** false: announced, not built yet. */
  live: boolean;
}

export const LESSONS: Lesson[] = [
  { page: "lesson1.html", number: 1, title: "What a network is", live: true },
  { page: "lesson2.html", number: 2, title: "Gradient descent", live: true },
  { page: "lesson3.html", number: 3, title: "What backpropagation does", live: true },
  { page: "lesson4.html", number: 4, title: "Backpropagation calculus", live: true },
  { page: "lesson5.html", number: 5, title: "GPTs: tokens, embeddings, sampling", live: false },
  { page: "lesson6.html", number: 6, title: "Attention", live: false },
  { page: "lesson7.html", number: 7, title: "How MLPs might store facts", live: false },
];

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

/** Renders the page frame and returns the element the lesson fills. */
export function shell(current: number | null, title: string, intro: string): HTMLElement {
  const app = document.getElementById("app")!;
  const nav = el("nav", { class: "lessons" }, el("a", { href: "./index.html", class: "home" }, "nnlab"));
  for (const l of LESSONS) {
    const label = `${l.number}. ${l.title}`;
    nav.append(l.live ? el("a", { href: `./${l.page}`, ...(l.number === current ? { "aria-current": "page" } : {}) }, label) : el("span", { class: "soon", title: "coming in a later version" }, label));
  }
  const status = el("p", { class: "engine-status", "data-testid": "engine-status" }, "engine: starting…");
  const main = el("main");
  app.append(el("header", {}, nav), el("h1", {}, title), el("p", { class: "intro" }, intro), main, el("footer", {}, status));
  // the worker starts on first use: lesson pages use it at once, the home page only if the console does
  Object.defineProperty(window, "nnlab", { get: engine, configurable: true });
  if (current !== null) {
    engine()
      .call("info", {})
      .then((i) => {
        status.textContent = `engine: ${i.backend}${i.simd ? ` (${i.simd} SIMD)` : ""}, ${i.threads} thread${i.threads === 1 ? "" : "s"}${i.crossOriginIsolated ? "" : " — page not cross-origin isolated"}`;
        status.dataset.backend = i.backend;
      })
      .catch((e: Error) => (status.textContent = `engine failed to start: ${e.message}`));
  }
  return main;
}
