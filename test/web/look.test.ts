// The lab as a person sees it: the home page's engine reaches "ready" and shows a card per lesson; the
// lesson navigation fits one line at 1280 px.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../helpers.js";
import { needChromium, withLab } from "./browser.js";

/** Every page the build wrote (a new lesson page is checked as soon as it is built). */
const PAGES = fs.existsSync(path.join(ROOT, "dist/web")) ? fs.readdirSync(path.join(ROOT, "dist/web")).filter((f) => f.endsWith(".html")).sort() : [];

test("home page: the engine gets ready, a card per lesson, the navigation on one line", { timeout: 120_000 }, async (t) => {
  if (!needChromium(t)) return;
  await withLab(async (lab) => {
    const page = await lab.open("index.html");
    const status = page.getByTestId("engine-status");
    await page.locator("[data-testid=engine-status][data-state=ready]").waitFor({ timeout: 60_000 });
    assert.equal(await status.getAttribute("data-backend"), "wasm");
    assert.match((await status.getAttribute("title")) ?? "", /wasm/);

    const cards = page.locator("[data-testid=lesson-cards] > li");
    assert.equal(await cards.count(), 7, "a card for each of the series' seven lessons");
    const live = await page.locator("[data-testid=lesson-cards] > li[data-live=true] a.card").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute("href")));
    for (const href of live) assert.ok(PAGES.includes(href!.replace("./", "")), `${href} is a built page`);
    assert.ok(live.length >= 4, "lessons 1–4 are linked");
    const coming = await page.locator("[data-testid=lesson-cards] > li[data-live=false]").count();
    assert.equal(coming, 7 - live.length, "the others are shown as coming, not linked");
    assert.equal(await page.locator("[data-testid=lesson-cards] > li[data-live=false] a").count(), 0);

    // the navigation: one line at 1280 px, every lesson in it
    const tops = await page.locator("nav.lessons > *").evaluateAll((items) => items.map((e) => Math.round(e.getBoundingClientRect().top)));
    assert.equal(tops.length, 7);
    assert.equal(new Set(tops).size, 1, `nav items on one line (tops ${tops.join(", ")})`);
    const clipped = await page.locator("nav.lessons").evaluate((n) => n.scrollWidth - n.clientWidth);
    assert.equal(clipped, 0, "the navigation shows every lesson without scrolling at 1280 px");
    await lab.screenshot(page, "home-1280");
  });
});
