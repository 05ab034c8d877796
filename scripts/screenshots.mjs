// Screenshots of every web-lab page at a desktop and a phone width, for a person to look at:
// `npm run build && node scripts/screenshots.mjs [page…]` writes test-artifacts/screens/PAGE-WIDTH.png.
// Uses the browser tests' harness (Debian's Chromium, the real `nnlab serve`); waits for each page's
// network to be ready and the page to settle, never a fixed sleep alone.

import fs from "node:fs";
import path from "node:path";
import { withLab, ARTIFACTS } from "../dist/test/web/browser.js";

const OUT = path.join(path.dirname(ARTIFACTS), "screens");
const ALL = ["index", "lesson1", "lesson2", "lesson3", "lesson4", "lesson5", "lesson6", "lesson7", "beyond"];
const pages = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
const WIDTHS = (process.env.WIDTHS ?? "1280,390").split(",").map(Number);

/**
 * A stroke through the drawing canvas's own coordinates (0..280), like a person drawing a 3; then waits
 * for `answered` (the page's reading of it).
 */
async function drawThree(page, answered = "[data-testid=prediction][data-revision]") {
  const box = await page.getByTestId("draw-canvas").boundingBox();
  const pts = [[85, 60], [130, 45], [180, 60], [185, 100], [140, 130], [185, 160], [190, 205], [140, 235], [85, 220]];
  await page.mouse.move(box.x + (pts[0][0] * box.width) / 280, box.y + (pts[0][1] * box.height) / 280);
  await page.mouse.down();
  for (const [x, y] of pts.slice(1)) await page.mouse.move(box.x + (x * box.width) / 280, box.y + (y * box.height) / 280, { steps: 6 });
  await page.mouse.up();
  await page.locator(answered).waitFor({ timeout: 60_000 });
}

/** Trains the page's tiny GPT for 150 steps and pauses it. */
async function trainTinyGpt(page) {
  await page.locator("[data-testid=gpt-model][data-ready]").waitFor({ timeout: 60_000 });
  await page.getByTestId("gpt-train-run").click();
  await page.waitForFunction(() => Number(document.querySelector("[data-testid=gpt-train-stats]")?.getAttribute("data-iter")) >= 150, undefined, { timeout: 120_000 });
  await page.getByTestId("gpt-train-pause").click();
  await page.waitForTimeout(1000);
}

const WORK = {
  async beyond(page) {
    await page.locator("[data-testid=cnn][data-ready]").waitFor({ timeout: 600_000 });
    await drawThree(page, "[data-testid=layer1-maps][data-maps]");
    await page.waitForFunction(() => !document.querySelector("[data-testid=draw-panel][data-busy]"), undefined, { timeout: 60_000 });
    await page.waitForTimeout(500);
  },
  async lesson1(page) {
    await drawThree(page);
    await page.getByTestId("neuron-2-5").hover();
    await page.screenshot({ path: path.join(OUT, "lesson1-1280-hover.png"), fullPage: true });
    await page.getByTestId("view-matrix").click();
    await page.getByTestId("matrix-view").waitFor();
    await page.waitForTimeout(500);
  },
  async lesson2(page) {
    await page.locator("[data-testid=train-stats][data-ready]").waitFor({ timeout: 120_000 });
    await page.getByTestId("train-run").click();
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=train-stats]")?.getAttribute("data-images")) >= 90_000, undefined, { timeout: 120_000 });
    await page.getByTestId("train-pause").click();
    await page.waitForTimeout(800);
  },
  async lesson3(page) {
    await page.locator("[data-testid=image-panel][data-start]").waitFor({ timeout: 120_000 });
    await page.waitForTimeout(1500);
  },
  async lesson7(page) {
    await page.locator("[data-testid=toy-view][data-ready]").waitFor({ timeout: 120_000 });
    await page.getByTestId("gate-row-1").click();
    await page.getByTestId("toy-sparsity").evaluate((input) => {
      input.value = "7";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.locator("[data-testid=pack-stats][data-ready]").waitFor({ timeout: 60_000 });
    await page.getByTestId("pack-run").click();
    await page.locator("[data-testid=pack-stats][data-state=done]").waitFor({ timeout: 120_000 });
    // the fact GPT: trained, one fact traced and edited
    await page.getByTestId("facts-train").click();
    await page.locator("[data-testid=facts-model][data-ready]").waitFor({ timeout: 300_000 });
    await page.getByTestId("facts-trace").click();
    await page.locator("[data-testid=facts-trace-out][data-clean]").waitFor({ timeout: 120_000 });
    await page.getByTestId("facts-edit").click();
    await page.locator("[data-testid=facts-edit-out][data-edited=true]").waitFor({ timeout: 120_000 });
    await page.waitForTimeout(800);
  },
  // lessons 5 and 6: the tiny GPT trained for 150 steps in the page, then paused
  async lesson5(page) {
    await trainTinyGpt(page);
    await page.getByTestId("sample-run").click();
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=sampled]")?.getAttribute("data-count")) >= 60, undefined, { timeout: 60_000 });
    await page.getByTestId("sample-stop").click();
    await page.waitForTimeout(1000);
  },
  async lesson6(page) {
    await trainTinyGpt(page);
    await page.getByTestId("head-1-1").click();
    await page.waitForTimeout(1000);
  },
  async lesson4(page) {
    await page.getByTestId("network-train").click();
    await page.locator("[data-testid=network][data-ready]").waitFor({ timeout: 300_000 });
    await page.locator("[data-testid=net-panel][data-weight]").waitFor({ timeout: 120_000 });
    await page.waitForTimeout(1000);
  },
};

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
      if (await page.locator("[data-testid=gpt-model]").count()) {
        await page.locator("[data-testid=gpt-model][data-ready]").waitFor({ timeout: 60_000 }).catch(() => console.error(`${name}@${width}: GPT not ready`));
      }
      if (await page.locator("[data-testid=network]").count()) {
        await page.locator("[data-testid=network][data-ready]").first().waitFor({ timeout: 120_000 }).catch(() => console.error(`${name}@${width}: network not ready`));
      }
      await page.waitForLoadState("networkidle");
      await page.waitForTimeout(1500); // let charts draw their frame
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const file = path.join(OUT, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`${file}${overflow > 0 ? `  (overflows by ${overflow}px)` : ""}`);
      // the page at work (at the first width only): what a learner sees after the first interaction
      if (WORK[name] && width === WIDTHS[0]) {
        await WORK[name](page);
        const worked = path.join(OUT, `${name}-${width}-worked.png`);
        await page.screenshot({ path: worked, fullPage: true });
        console.log(worked);
      }
      await page.close();
    }
  }
});
