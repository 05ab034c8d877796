// "Beyond the series" in real Chromium: with no run on the server the page trains the CNN preset in its
// worker (on 2,000 images, `?images=2000`, to stay quick) beside lesson 1's MLP; a 7 drawn with the mouse
// goes through the CNN: 16 first-layer filters and feature maps, 32 second-layer maps, the kernels of a
// picked map, and both networks' answers for this very drawing. Text contrast and overflow at 390 px too.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { needChromium, withLab } from "./browser.js";
import { lowContrast } from "./look.js";

/** A 7 in the drawing's own coordinates (0..280 on each side). */
const SEVEN: [number, number][] = [[75, 55], [205, 55], [170, 120], [125, 240]];

async function drawSeven(page: Page): Promise<void> {
  const box = (await page.getByTestId("draw-canvas").boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + (x / 280) * box.width, box.y + (y / 280) * box.height] as const;
  await page.mouse.move(...at(SEVEN[0]));
  await page.mouse.down();
  for (const p of SEVEN.slice(1)) await page.mouse.move(...at(p), { steps: 12 });
  await page.mouse.up();
}

/** How many pixels of each canvas in `selector` are not black (a drawn map or filter shows something). */
function litPixels(page: Page, selector: string): Promise<number[]> {
  return page.locator(selector).evaluateAll((canvases) =>
    canvases.map((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let lit = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 60) lit++;
      return lit;
    }),
  );
}

test("beyond: a drawn digit goes through the CNN trained here, its filters and feature maps shown layer by layer, beside the MLP's answer", { timeout: 600_000 }, async (t) => {
  if (!needChromium(t)) return;
  const noRuns = fs.mkdtempSync(path.join(os.tmpdir(), "nnlab-no-runs-"));
  await withLab(
    async (lab) => {
      const page = await lab.open("beyond.html?images=2000", { shared: true });
      const cnn = page.locator('[data-testid="cnn"][data-ready="true"]');
      await cnn.waitFor({ timeout: 480_000 });
      const line = (await cnn.locator(".line").getAttribute("title")) ?? "";
      assert.match(line, /^80,202 weights and biases; trained here: the cnn preset on the first 2,000 training images, seed 1; accuracy on the first 2,000 test digits$/);
      const accuracy = Number(/([\d.]+)% of test digits right/.exec((await cnn.textContent()) ?? "")![1]);
      assert.ok(accuracy > 80, `a CNN trained on 2,000 images reads ${accuracy}% of the test digits`);
      // before any drawing: no maps, a placeholder
      assert.equal(await page.locator("[data-testid=layer1-maps] canvas").count(), 0);

      await drawSeven(page);
      const revision = await page.getByTestId("draw-canvas").getAttribute("data-revision");
      const answer = page.locator(`[data-testid="cnn-prediction"][data-revision="${revision}"]`);
      await answer.waitFor({ state: "attached", timeout: 60_000 });
      assert.equal(await answer.textContent(), "7", "the CNN reads the drawn 7");
      assert.equal(await page.getByTestId("mlp-prediction").textContent(), "7", "so does lesson 1's MLP");
      // the CNN's bars are its softmax: they add up to 1, the answer the largest
      const probabilities = await page.locator("[data-testid=cnn-outputs] [data-value]").evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.value)));
      assert.equal(probabilities.length, 10);
      assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
      assert.equal(probabilities.indexOf(Math.max(...probabilities)), 7);

      // layer 1: 16 filters (5×5) and their 24×24 feature maps, each map showing part of the stroke
      assert.equal(await page.getByTestId("layer1-maps").getAttribute("data-maps"), "16");
      const filters = await page.locator("[data-testid=layer1-maps] canvas.filter").evaluateAll((cs) => cs.map((c) => `${(c as HTMLCanvasElement).width}×${(c as HTMLCanvasElement).height}`));
      assert.deepEqual(filters, Array(16).fill("5×5"));
      const maps1 = await litPixels(page, "[data-testid=layer1-maps] canvas.map");
      assert.equal(maps1.length, 16);
      assert.ok(maps1.filter((n) => n > 0).length >= 8, `layer-1 maps with something lit: ${maps1.join(", ")}`);
      assert.ok(Math.max(...maps1) < 24 * 24, "no map is lit everywhere: the stroke is thin");
      // layer 2: 32 maps of 8×8; picking one shows its 16 kernels
      assert.equal(await page.getByTestId("layer2-maps").getAttribute("data-maps"), "32");
      assert.equal((await litPixels(page, "[data-testid=layer2-maps] canvas.map")).length, 32);
      await page.locator('[data-testid=layer2-maps] [data-map="4"]').click();
      await page.locator('[data-testid=layer2-kernels][data-map="4"]').waitFor();
      assert.equal(await page.locator('[data-testid=layer2-maps] [aria-pressed="true"]').getAttribute("data-map"), "4");
      assert.equal(await page.locator("[data-testid=layer2-kernels] canvas").count(), 16);
      assert.match((await page.getByTestId("layer2-kernels").textContent()) ?? "", /^map 5's 16 kernels/);
      // the comparison: the CNN's 80,202 weights and biases against the MLP's 13,002
      const cards = await page.locator("[data-testid=comparison] .net-card").allTextContents();
      assert.equal(cards.length, 2);
      assert.match(cards[0], /^CNN[\d.]+% of test digits right80,202 weights and biases5×5 conv → 16 maps, 2×2 pool, 5×5 conv → 32 maps, 2×2 pool; dense head 512-128-10/);
      assert.match(cards[1], /^MLP[\d.]+% of test digits right13,002 weights and biases784-16-16-10, sigmoid/);
      assert.deepEqual(await lowContrast(page), []);
      await lab.screenshot(page, "beyond-1280");

      // a phone: no sideways scrolling, the maps still there (the network comes from this browser's cache)
      const phone = await lab.open("beyond.html?images=2000", { width: 390, shared: true });
      await phone.locator('[data-testid="cnn"][data-ready="true"]').waitFor({ timeout: 120_000 });
      assert.match((await phone.getByTestId("cnn").locator(".line").getAttribute("title")) ?? "", /kept in this browser/);
      await drawSeven(phone);
      await phone.locator("[data-testid=layer1-maps][data-maps]").waitFor({ timeout: 60_000 });
      assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
      assert.deepEqual(await lowContrast(phone), []);
      await lab.screenshot(phone, "beyond-390");
    },
    { runsDir: noRuns },
  );
});
