// Lesson 3 in Chromium: a chosen training image's desired nudges push towards its label, the levers and
// the wishes passed back are drawn for it, the mini-batch mean follows the batch size towards the
// full-batch gradient, and the descent paths go downhill.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { loadMnist } from "../../src/data/mnist.js";
import { needChromium, withLab } from "./browser.js";

/** The `data-value` of every row of a signed-bar list, in order. */
async function barValues(page: Page, testId: string): Promise<number[]> {
  return page.locator(`[data-testid^="${testId}-"][data-value]`).evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.value)));
}

test("lesson 3: nudges push towards the label, wishes pass back, and the mini-batch mean follows the batch size", { timeout: 600_000 }, async (t) => {
  if (!needChromium(t)) return;
  const { train } = await loadMnist();
  await withLab(async (lab) => {
    const page = await lab.open("lesson3.html");
    await page.locator("[data-testid=network][data-ready]").waitFor({ timeout: 300_000 });

    // pick training image 7 by typing its index
    const index = page.getByTestId("image-index");
    await index.fill("7");
    await index.press("Enter");
    const panel = page.locator('[data-testid=image-panel][data-index="7"]:not([data-busy])');
    await panel.waitFor({ timeout: 180_000 });
    const label = Number(await panel.getAttribute("data-label"));
    assert.equal(label, train.labels[7], "the page shows the label MNIST has for training image 7");

    const outputs = await barValues(page, "output-a");
    const nudges = await barValues(page, "output-nudge");
    assert.equal(nudges.length, 10, "one nudge per output");
    assert.ok(nudges[label] > 0, `the label's output is pulled up: ${nudges[label]}`);
    nudges.forEach((n, d) => {
      if (d !== label) assert.ok(n <= 0, `output ${d} is pushed down or left: ${n}`);
      // the quadratic cost's desired nudge is y − a
      assert.ok(Math.abs(n - ((d === label ? 1 : 0) - outputs[d])) < 1e-6, `nudge ${d} = y − a`);
    });

    // the three levers of the label's neuron and the wishes passed back, one per hidden neuron
    assert.equal(await page.getByTestId("lever-neuron").inputValue(), String(label));
    assert.equal((await barValues(page, "lever-weights")).length, 16);
    assert.equal((await barValues(page, "lever-activations")).length, 16);
    const passedBack = await barValues(page, "wish-last");
    assert.equal(passedBack.length, 16);
    assert.ok(passedBack.some((w) => w !== 0), "the summed wishes are not all zero");
    assert.equal(await page.getByTestId("first-layer-nudges").locator("canvas").count(), 16);

    // the next image has other nudges
    await page.getByTestId("image-index-next").click();
    await page.locator('[data-testid=image-panel][data-index="8"]:not([data-busy])').waitFor({ timeout: 180_000 });
    assert.notDeepEqual(await barValues(page, "output-nudge"), nudges);

    // averaging over a mini-batch: from 10 images (the start) to 10,000, the mean turns towards the full batch
    const batchPanel = page.getByTestId("batch-panel");
    await page.locator('[data-testid=batch-panel][data-batch="10"]:not([data-busy])').waitFor({ timeout: 180_000 });
    const cosOf = async (id: string) => Number(await page.getByTestId(id).getAttribute("data-value"));
    const small = await cosOf("cos-batch");
    await page.getByTestId("batch-size").focus();
    await page.keyboard.press("End");
    await page.locator('[data-testid=batch-panel][data-batch="10000"]:not([data-busy])').waitFor({ timeout: 120_000 });
    const large = await cosOf("cos-batch");
    assert.ok(large > 0.95, `a 10,000-image mean points almost where the full batch does: cos ${large}`);
    assert.ok(large > small, `10,000 images (cos ${large}) beat 10 (cos ${small})`);
    assert.ok((await cosOf("cos-example")) < large, "one example's gradient is further from the full batch's");
    assert.equal(await batchPanel.locator("table canvas").count(), 48, "three rows of 16 first-layer tiles");

    // descent paths: every path ends lower than it starts
    await page.getByTestId("run-paths").click();
    const paths = page.locator("[data-testid=path-panel][data-ready]");
    await paths.waitFor({ timeout: 300_000 });
    const costs = JSON.parse((await paths.getAttribute("data-costs"))!) as { batch: number; inPlane: boolean; start: number; end: number }[];
    assert.equal(costs.length, 8);
    for (const c of costs) assert.ok(c.end < c.start, `batch ${c.batch} (${c.inPlane ? "in the plane" : "free"}) goes downhill: ${c.start} → ${c.end}`);
    await lab.screenshot(page, "lesson3");
  });
});
