// Lesson 2 in real Chromium: the network trains in the page at the lesson's pace (the first epoch over
// seconds) and its cost falls; pause stops it; the
// learning rate and batch size reach the worker; one example's cost adds up; noise gets ten outputs; an
// imagined digit wins its output; the toy landscapes crawl at a small learning rate and diverge at a large
// one; the in-page shuffled-label and none-class experiments reproduce the lab's findings.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { needChromium, until, withLab } from "./browser.js";

const attr = async (l: Locator, name: string) => Number(await l.getAttribute(`data-${name}`));

/**
 * Moves a logarithmic range slider to `value` as a user dragging it would; returns the value it took
 * (the input snaps to its step).
 */
async function setLogSlider(page: Page, testId: string, value: number): Promise<number> {
  const position = await page.getByTestId(testId).evaluate((input: HTMLInputElement, p) => {
    input.value = String(p);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return Number(input.value);
  }, Math.log10(value));
  return 10 ** position;
}

test("lesson 2: training in the page, the cost of an example, landscapes and the lab's analyses", { timeout: 600_000 }, async (t) => {
  if (!needChromium(t)) return;
  await withLab(async (lab) => {
    const page = await lab.open("lesson2.html");
    const stats = page.getByTestId("train-stats");
    await until(page, "train-stats", "ready", (v) => v === "true");
    assert.equal(await attr(stats, "images"), 0);
    const untrained = await attr(stats, "test-accuracy");

    // train one epoch's worth of images at the lesson's pace: the page opens at it, and the first epoch
    // unfolds over seconds (not in the leftmost pixels of the curve), drawn point by point on a log axis
    assert.equal(await stats.getAttribute("data-pace"), "lesson");
    assert.equal(await page.getByTestId("train-pace-lesson").getAttribute("aria-pressed"), "true");
    const costChart = page.getByTestId("train-panel").getByTestId("chart").first();
    const started = Date.now();
    await page.getByTestId("train-run").click();
    await until(page, "train-stats", "images", (v) => Number(v) >= 60000);
    const firstEpoch = (Date.now() - started) / 1000;
    assert.ok(firstEpoch >= 5, `at lesson pace the first epoch took ${firstEpoch} s (at least 5 s)`);
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=train-panel] .chart")?.getAttribute("data-points")) >= 20);
    t.diagnostic(`lesson pace: first epoch over ${firstEpoch.toFixed(1)} s, ${await costChart.getAttribute("data-points")} points on the cost curve`);
    // then full speed
    await page.getByTestId("train-pace-full").click();
    await until(page, "train-stats", "pace", (v) => v === "full");
    const first = await attr(stats, "first-cost");
    const cost = await attr(stats, "cost");
    assert.ok(cost < 0.5 * first, `the cost fell: first ${first}, now ${cost}`);
    await until(page, "train-stats", "test-accuracy", (v) => Number(v) > 0.5);
    t.diagnostic(`in-page training: ${Math.round(await attr(stats, "images-per-second"))} images/s since start; untrained test accuracy ${untrained}, now ${await attr(stats, "test-accuracy")}`);

    // pause: nothing moves any more
    await page.getByTestId("train-pause").click();
    await until(page, "train-stats", "state", (v) => v === "paused");
    const paused = await attr(stats, "images");
    await page.waitForTimeout(1000);
    assert.equal(await attr(stats, "images"), paused, "no training while paused");

    // the learning rate and the batch size reach the worker, and one step takes one batch
    const lr = await setLogSlider(page, "train-lr", 0.5);
    await until(page, "train-stats", "lr", (v) => Number(v) === lr);
    await page.getByTestId("train-batch").selectOption("50");
    await until(page, "train-stats", "batch", (v) => v === "50");
    const steps = await attr(stats, "steps");
    await page.getByTestId("train-step").click();
    await until(page, "train-stats", "steps", (v) => Number(v) === steps + 1);
    assert.equal(await attr(stats, "images"), paused + 50);

    // one example: the cost is half the sum of the squared differences shown
    const example = page.getByTestId("example-cost");
    await until(page, "example-cost", "cost", (v) => Number(v) >= 0);
    const squares = (await example.locator("tbody tr td:nth-child(4)").allTextContents()).map(Number);
    assert.equal(squares.length, 10);
    const shown = await attr(example, "cost");
    assert.ok(Math.abs(shown - squares.reduce((s, v) => s + v, 0) / 2) < 1e-3, `cost ${shown} vs squares ${squares}`);

    // noise gets ten answers
    await page.getByTestId("feed-noise").click();
    const outputs = page.getByTestId("noise-outputs").locator(".bar");
    await outputs.nth(9).waitFor();
    assert.equal(await outputs.count(), 10);
    for (const v of await outputs.evaluateAll((bars) => bars.map((b) => Number(b.getAttribute("data-value"))))) assert.ok(v >= 0 && v <= 1, `output ${v}`);

    // an imagined 3 wins its output with high confidence
    await page.getByTestId("imagine-digit").selectOption("3");
    await page.getByTestId("imagine-run").click();
    await until(page, "imagine", "confidence", (v) => Number(v) >= 0);
    const imagined = page.getByTestId("imagine");
    assert.equal(await attr(imagined, "answer"), 3);
    assert.ok((await attr(imagined, "confidence")) > 0.9, `confidence ${await attr(imagined, "confidence")}`);

    // the first layer's tiles
    await page.getByTestId("tiles-run").click();
    await until(page, "tiles", "smoothness", (v) => Number.isFinite(Number(v)));
    assert.equal(await page.getByTestId("tiles").locator("canvas").count(), 16);

    // the toy landscapes: a large learning rate diverges, a small one crawls
    for (const [lr, status] of [
      [2, "diverged"],
      [0.002, "crawling"],
    ] as const) {
      const set = await setLogSlider(page, "toy-lr", lr);
      for (const toy of ["quartic", "bowl"]) {
        await until(page, `toy-status-${toy}`, "lr", (v) => Number(v) === set);
        assert.equal(await page.getByTestId(`toy-status-${toy}`).getAttribute("data-status"), status, `${toy} at lr ${lr}`);
      }
    }
    await page.getByTestId("net-landscape-run").click();
    await until(page, "net-landscape", "cost", (v) => Number(v) > 0);

    // shuffled labels: learned too, but the test images stay at chance
    await page.getByTestId("labels-run").click();
    await until(page, "random-labels", "done", (v) => v === "true");
    const labels = page.getByTestId("random-labels");
    const train = ((await labels.getAttribute("data-train")) ?? "").split(",").map(Number);
    const testAcc = ((await labels.getAttribute("data-test")) ?? "").split(",").map(Number);
    assert.ok(train[0] > 0.9, `true labels learned: ${train}`);
    assert.ok(train[2] > 0.3, `shuffled labels memorised well above chance: ${train}`);
    assert.ok(testAcc[2] < 0.3 && testAcc[0] > 0.6, `test accuracy true ${testAcc[0]}, all shuffled ${testAcc[2]}`);

    // none class: both nets trade digits against junk; the one with a none output does better
    await page.getByTestId("none-class-run").click();
    await until(page, "none-class", "areas", (v) => v.length > 0);
    const [threshold, none] = ((await page.getByTestId("none-class").getAttribute("data-areas")) ?? "").split(",").map(Number);
    assert.ok(threshold > 0 && none < 1 && none > threshold, `trade-off areas: threshold ${threshold}, none class ${none}`);

    await lab.screenshot(page, "lesson2");
  });
});
