// Screenshots of every web-lab page at a desktop and a phone width, for a person to look at:
// `npm run build && node scripts/screenshots.mjs [page…]` writes test-artifacts/screens/PAGE-WIDTH.png.
// Uses the browser tests' harness (Debian's Chromium, the real `nnlab serve`); waits for each page's
// network to be ready and the page to settle, never a fixed sleep alone.

import fs from "node:fs";
import path from "node:path";
import { withLab, ARTIFACTS } from "../dist/test/web/browser.js";

const OUT = path.join(path.dirname(ARTIFACTS), "screens");
const ALL = ["index", "lesson1", "lesson2", "lesson3", "lesson4"];
const pages = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
const WIDTHS = (process.env.WIDTHS ?? "1280,390").split(",").map(Number);

fs.mkdirSync(OUT, { recursive: true });
await withLab(async (lab) => {
  // one context: a network trained on one page is in IndexedDB for the next
  const context = await lab.browser.newContext();
  for (const name of pages) {
    for (const width of WIDTHS) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: 900 });
      page.on("pageerror", (e) => console.error(`${name}@${width}: ${e.message}`));
      await page.goto(new URL(`${name}.html`, lab.url).href);
      // ready: the engine answered, and a page with a network has one
      await page.locator("[data-testid=engine-status][data-backend]").waitFor({ timeout: 60_000 }).catch(() => console.error(`${name}@${width}: engine not ready`));
      if (await page.locator("[data-testid=network]").count()) {
        await page.locator("[data-testid=network][data-ready]").first().waitFor({ timeout: 120_000 }).catch(() => console.error(`${name}@${width}: network not ready`));
      }
      await page.waitForLoadState("networkidle");
      await page.waitForTimeout(1500); // let charts draw their frame
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const file = path.join(OUT, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`${file}${overflow > 0 ? `  (overflows by ${overflow}px)` : ""}`);
      await page.close();
    }
  }
});
