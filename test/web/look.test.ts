// The lab as a person sees it, on every built page: the home page's engine reaches "ready" and shows a
// card per lesson; the lesson navigation fits one line at 1280 px; no page scrolls sideways at 1280 or
// 390 px; every line chart has its axes from the first load; all text passes WCAG AA contrast (4.5:1).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { ROOT } from "../helpers.js";
import { needChromium, withLab } from "./browser.js";
import { chartsWithoutAxes, lowContrast, overflow, overflowing } from "./look.js";

/** Every page the build wrote (a new lesson page is checked as soon as it is built). */
const PAGES = fs.existsSync(path.join(ROOT, "dist/web")) ? fs.readdirSync(path.join(ROOT, "dist/web")).filter((f) => f.endsWith(".html")).sort() : [];

/** Waits for the engine and, on a page with one, its network (what the page looks like once loaded). */
async function loaded(page: Page): Promise<void> {
  await page.locator("[data-testid=engine-status][data-state=ready]").waitFor({ timeout: 120_000 });
  if (await page.getByTestId("network").count()) {
    const picker = page.getByTestId("network");
    // pages that train only on request show their network line without one
    if (!(await page.getByTestId("network-train").count())) await page.locator("[data-testid=network][data-ready]").waitFor({ timeout: 300_000 });
    assert.ok(await picker.isVisible());
  }
}

test("home page: the engine gets ready, a card per lesson, the navigation on one line", { timeout: 120_000 }, async (t) => {
  if (!needChromium(t)) return;
  await withLab(async (lab) => {
    const page = await lab.open("index.html");
    const status = page.getByTestId("engine-status");
    await page.locator("[data-testid=engine-status][data-state=ready]").waitFor({ timeout: 60_000 });
    assert.equal(await status.getAttribute("data-backend"), "wasm");
    assert.match((await status.getAttribute("title")) ?? "", /wasm/);

    const cards = page.locator("[data-testid=lesson-cards] > li");
    assert.equal(await cards.count(), 8, "a card for each of the series' seven lessons, and one for Beyond the series");
    assert.equal(await page.locator("[data-testid=lesson-cards] > li:last-child").getAttribute("data-lesson"), "beyond");
    const live = await page.locator("[data-testid=lesson-cards] > li[data-live=true] a.card").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute("href")));
    for (const href of live) assert.ok(PAGES.includes(href!.replace("./", "")), `${href} is a built page`);
    assert.ok(live.length >= 5, "lessons 1–4 and Beyond the series are linked");
    const coming = await page.locator("[data-testid=lesson-cards] > li[data-live=false]").count();
    assert.equal(coming, 8 - live.length, "the others are shown as coming, not linked");
    assert.equal(await page.locator("[data-testid=lesson-cards] > li[data-live=false] a").count(), 0);

    // the navigation: one line at 1280 px, every lesson in it, and Beyond the series
    const tops = await page.locator("nav.lessons > *").evaluateAll((items) => items.map((e) => Math.round(e.getBoundingClientRect().top)));
    assert.equal(tops.length, 8);
    assert.equal(new Set(tops).size, 1, `nav items on one line (tops ${tops.join(", ")})`);
    const clipped = await page.locator("nav.lessons").evaluate((n) => n.scrollWidth - n.clientWidth);
    assert.equal(clipped, 0, "the navigation shows every lesson without scrolling at 1280 px");
    await lab.screenshot(page, "home-1280");
  });
});

test("every page: no sideways scrolling at 1280 and 390 px, charts with axes, text contrast ≥ 4.5:1", { timeout: 900_000 }, async (t) => {
  if (!needChromium(t)) return;
  assert.ok(PAGES.length >= 5, `the build wrote the pages (found ${PAGES.join(", ")})`);
  await withLab(async (lab) => {
    for (const name of PAGES) {
      const page = await lab.open(name, { shared: true });
      await loaded(page);
      // a page that trains only when asked: ask, and check it with its network's views too
      if (await page.getByTestId("network-train").count()) {
        await page.getByTestId("network-train").click();
        await page.locator("[data-testid=network][data-ready]").waitFor({ timeout: 300_000 });
        // lesson 4: the chosen weight's chain rule and matrix form are shown
        if (await page.getByTestId("net-panel").count()) await page.locator("[data-testid=net-panel][data-weight]:not([data-busy])").waitFor({ timeout: 120_000 });
      }
      assert.deepEqual(await chartsWithoutAxes(page), [], `${name}: every chart has its axes on first load`);
      assert.deepEqual(await lowContrast(page), [], `${name}: text below WCAG AA contrast at 1280 px`);
      assert.equal(await overflow(page), 0, `${name} scrolls sideways at 1280 px: ${(await overflowing(page)).join("; ")}`);
      for (const width of [1024, 390]) {
        await page.setViewportSize({ width, height: 900 });
        // layout and the charts' resize observers settle within a few frames
        await page.waitForFunction((w) => document.documentElement.clientWidth === w, width);
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        assert.equal(await overflow(page), 0, `${name} scrolls sideways at ${width} px: ${(await overflowing(page)).join("; ")}`);
      }
      assert.deepEqual(await lowContrast(page), [], `${name}: text below WCAG AA contrast at 390 px`);
      await lab.screenshot(page, `${name.replace(".html", "")}-390`);
      await page.close();
    }
  });
});
