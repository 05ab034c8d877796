// What a person sees, checked in the page: text contrast (WCAG's formula on computed styles), horizontal
// overflow, and charts drawn with axes. Shared by the web tests; each returns what is wrong (empty: fine).

import type { Page } from "playwright-core";

/** One piece of text whose contrast with what is behind it is below `min`. */
export interface LowContrast {
  text: string;
  where: string;
  ratio: number;
  color: string;
  background: string;
}

/**
 * Every visible element with its own text under `root` whose text colour against its effective
 * background (the nearest opaque background-color behind it, colours with alpha blended over it) has a
 * contrast ratio below `min` (4.5: WCAG AA for normal text). Disabled controls are left out (WCAG exempts them).
 */
export function lowContrast(page: Page, root = "body", min = 4.5): Promise<LowContrast[]> {
  return page.evaluate(
    ({ root, min }) => {
      const parse = (c: string): [number, number, number, number] => {
        const m = c.match(/rgba?\(([^)]+)\)/);
        if (!m) return [0, 0, 0, 0];
        const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
      };
      const over = (top: number[], under: number[]) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3]));
      const lum = (c: number[]) => {
        const [r, g, b] = c.map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      /** The colour behind `e`: its own and its ancestors' backgrounds, blended from the page's up. */
      const background = (e: Element): number[] => {
        const layers: number[][] = [];
        for (let n: Element | null = e; n; n = n.parentElement) {
          const c = parse(getComputedStyle(n).backgroundColor);
          if (c[3] > 0) layers.push(c);
          if (c[3] >= 1) break;
        }
        let under = [255, 255, 255];
        for (const c of layers.reverse()) under = over(c, under);
        return under;
      };
      const bad: { text: string; where: string; ratio: number; color: string; background: string }[] = [];
      for (const e of document.querySelectorAll(`${root} *`)) {
        const own = [...e.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? "").join("").trim();
        if (!own || e.closest("svg, script, style, option, [hidden], :disabled, [aria-disabled=true]")) continue;
        const r = e.getBoundingClientRect();
        const s = getComputedStyle(e);
        if (r.width === 0 || r.height === 0 || s.visibility === "hidden" || Number(s.opacity) === 0) continue;
        const bg = background(e);
        const fg = over(parse(s.color), bg);
        const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
        const ratio = (hi + 0.05) / (lo + 0.05);
        if (ratio < min) {
          const where = e.closest("[data-testid]")?.getAttribute("data-testid") ?? e.tagName.toLowerCase();
          bad.push({ text: own.slice(0, 40), where, ratio: Math.round(ratio * 100) / 100, color: s.color, background: `rgb(${bg.map(Math.round).join(", ")})` });
        }
      }
      return bad;
    },
    { root, min },
  );
}

/** How many CSS pixels the page is wider than its viewport (0: no horizontal scrolling). */
export function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** The elements sticking out to the right of the viewport, to name in a failure. */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const e of document.querySelectorAll("body *")) {
      const r = e.getBoundingClientRect();
      if (r.right > w + 1 && !e.parentElement?.closest("[data-overflow-ok]") && getComputedStyle(e).position !== "fixed") {
        const parent = e.parentElement;
        // report the outermost culprit only
        if (parent && parent.getBoundingClientRect().right > w + 1) continue;
        out.push(`${e.tagName.toLowerCase()}${e.className && typeof e.className === "string" ? `.${e.className.split(" ").join(".")}` : ""} (right edge ${Math.round(r.right)} px)`);
      }
    }
    return out;
  });
}

/** Waits until every line chart has drawn once; returns the charts drawn with fewer than two axes. */
export async function chartsWithoutAxes(page: Page, timeout = 60_000): Promise<string[]> {
  await page.waitForFunction(() => [...document.querySelectorAll(".chart")].every((c) => (c as HTMLElement).dataset.axes !== undefined), undefined, { timeout });
  return page.evaluate(() =>
    [...document.querySelectorAll(".chart")].filter((c) => Number((c as HTMLElement).dataset.axes) < 2).map((c) => c.querySelector(".u-title")?.textContent ?? "untitled chart"),
  );
}
