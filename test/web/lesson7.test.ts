// Lesson 7 in real Chromium: the page loads cross-origin isolated with nothing from another origin; the
// AND-gate neuron's truth table follows its sliders exactly as ReLU/GELU(w_M·[Michael] + w_J·[Jordan] + b)
// says; the packing runs live in the worker (its worst pair's angle climbs towards the Welch limit and
// never passes it; stop stops it) while the main thread stays responsive (its longest task is reported);
// the superposition slider goes from "two features kept" to a pentagon of five; the fact GPT trains in
// the page, a traced fact's last residual state restores it all, and a rank-one edit states a new fact.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ARTIFACTS, needChromium, until, withLab } from "./browser.js";
import path from "node:path";

/** Moves a range slider to `value` as dragging it would (the input event the page listens to); returns the value it snapped to. */
async function setSlider(page: Page, testId: string, value: number): Promise<number> {
  return page.getByTestId(testId).evaluate((input: HTMLInputElement, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return Number(input.value);
  }, value);
}

const relu = (z: number) => Math.max(0, z);
const gelu = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
/** The four inputs' Michael and Jordan: neither, Michael alone, Jordan alone, both. */
const INPUTS = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
];

/** Checks every row of the truth table against the neuron's math for these weights; returns the written pattern. */
async function checkTable(page: Page, t: TestContext, w: { michael: number; jordan: number; bias: number }, act: (z: number) => number): Promise<string> {
  const key = (v: number) => String(v);
  await page.locator(`[data-testid=gate-table][data-michael="${key(w.michael)}"][data-jordan="${key(w.jordan)}"][data-bias="${key(w.bias)}"]:not([data-busy])`).waitFor({ timeout: 30_000 });
  let pattern = "";
  for (const [i, [m, j]] of INPUTS.entries()) {
    const row = page.getByTestId(`gate-row-${i}`);
    const z = Number(await row.getAttribute("data-z"));
    const a = Number(await row.getAttribute("data-neuron"));
    const b = Number(await row.getAttribute("data-basketball"));
    const wantZ = w.michael * m + w.jordan * j + w.bias;
    assert.ok(Math.abs(z - wantZ) < 1e-5, `row ${i}: z ${z}, math says ${wantZ}`);
    assert.ok(Math.abs(a - act(wantZ)) < 1e-5, `row ${i}: activation ${a}, math says ${act(wantZ)}`);
    // the column is the unit basketball direction: what is added along basketball is the activation
    assert.ok(Math.abs(b - a) < 1e-5, `row ${i}: basketball ${b} vs activation ${a}`);
    assert.equal(await row.getAttribute("data-written"), String(b > 0.5));
    // the table shows the numbers it holds
    const cells = await row.locator("td").allTextContents();
    assert.equal(Number(cells[0]), Number(z.toFixed(2)) || 0);
    pattern += b > 0.5 ? "1" : "0";
  }
  assert.equal(await page.getByTestId("gate-table").getAttribute("data-written"), pattern);
  t.diagnostic(`w_M ${w.michael}, w_J ${w.jordan}, b ${w.bias}: written for (neither, Michael, Jordan, both) = ${pattern}; ${await page.getByTestId("gate-verdict").textContent()}`);
  return pattern;
}

test("lesson 7: the AND gate by hand, packing live against the Welch bound, superposition by sparsity", { timeout: 600_000 }, async (t) => {
  if (!needChromium(t)) return;
  await withLab(async (lab) => {
    const context = await lab.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const foreign: string[] = [];
    const errors: string[] = [];
    context.on("request", (r) => {
      if (!r.url().startsWith(lab.url)) foreign.push(r.url());
    });
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`);
    });
    await page.goto(new URL("lesson7.html", lab.url).href);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true, "lesson 7 is cross-origin isolated");
    await page.locator("[data-testid=engine-status][data-state=ready]").waitFor({ timeout: 60_000 });

    // ——— the AND gate: only (1, 1) fires with the lesson's weights; the bias decides the rest ———
    assert.equal(await checkTable(page, t, { michael: 1, jordan: 1, bias: -1 }, relu), "0001", "the lesson's neuron is an AND gate");
    let bias = await setSlider(page, "gate-bias", 0);
    assert.equal(await checkTable(page, t, { michael: 1, jordan: 1, bias }, relu), "0111", "without the bias one name is enough (OR)");
    bias = await setSlider(page, "gate-bias", -1.6);
    assert.equal(await checkTable(page, t, { michael: 1, jordan: 1, bias }, relu), "0000", "too negative a bias silences it");
    bias = await setSlider(page, "gate-bias", -1.4);
    const jordan = await setSlider(page, "gate-w-jordan", 2);
    assert.equal(await checkTable(page, t, { michael: 1, jordan, bias }, relu), "0011", "a strong Jordan weight: Jordan alone is enough");
    await page.getByTestId("gate-reset").click();
    await page.getByTestId("gate-activation-gelu").click();
    await page.locator("[data-testid=gate-table][data-activation=gelu]:not([data-busy])").waitFor();
    assert.equal(await checkTable(page, t, { michael: 1, jordan: 1, bias: -1 }, gelu), "0001", "with GELU too");
    // the residual-stream picture: Michael Phelps gets no basketball, Michael Jordan gets it
    const along = async (testId: string, i: number) => Number(await page.getByTestId(`${testId}-${i}`).getAttribute("data-value"));
    await page.getByTestId("gate-row-1").click();
    await page.locator("[data-testid=gate-row-1][aria-selected=true]").waitFor();
    await page.locator("[data-testid=gate-table]:not([data-busy])").waitFor();
    assert.deepEqual([await along("story-x", 0), await along("story-x", 1), await along("story-x", 3)].map((v) => Math.round(v * 1e5) / 1e5), [1, 0, 1], "Michael Phelps: Michael and Phelps in x");
    assert.ok(Math.abs(await along("story-after", 2)) < 1e-5, "no basketball for Michael Phelps");
    await page.getByTestId("gate-row-3").click();
    await page.locator("[data-testid=gate-row-3][aria-selected=true]").waitFor();
    await page.locator("[data-testid=gate-table]:not([data-busy])").waitFor();
    assert.ok(Math.abs((await along("story-row", 0)) - 1) < 1e-5 && Math.abs((await along("story-column", 2)) - 1) < 1e-5, "the row reads Michael, the column writes basketball");
    assert.ok(Math.abs((await along("story-after", 2)) - gelu(1)) < 1e-5, "Michael Jordan: GELU(1) of basketball added");

    // ——— the packing, live: the worst angle climbs towards the Welch limit, never past it ———
    await until(page, "pack-stats", "ready", (v) => v === "true");
    const stats = page.getByTestId("pack-stats");
    await page.getByTestId("pack-steps").selectOption("3000");
    await until(page, "pack-stats", "steps", (v) => v === "3000");
    const randomMin = Number(await stats.getAttribute("data-random-min-angle"));
    const welch = Number(await stats.getAttribute("data-welch"));
    assert.equal(await stats.getAttribute("data-penalty"), "exp");
    assert.ok(Number(await page.getByTestId("pack-panel").getByTestId("chart").first().getAttribute("data-points")) > 10, "the histogram shows the random start");
    // long tasks on the main thread while the worker packs
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: "longtask" });
    });
    await page.getByTestId("pack-run").click();
    const seen: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 10_000) {
      await page.waitForTimeout(500);
      seen.push(Number(await stats.getAttribute("data-min-angle")));
    }
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    await page.getByTestId("pack-pause").click();
    await until(page, "pack-stats", "state", (v) => v !== "running");
    const steps = Number(await stats.getAttribute("data-step"));
    const minAngle = Number(await stats.getAttribute("data-min-angle"));
    t.diagnostic(`packing 500 vectors in 50 dimensions (exp penalty): worst angle ${randomMin.toFixed(2)}° at the random start, ${seen.map((v) => v.toFixed(1)).join(" → ")} over 10 s (${steps} steps); Welch limit ${welch.toFixed(2)}°`);
    t.diagnostic(`main thread during 10 s of packing: ${longTasks.length} long tasks, longest ${longTasks.length ? Math.max(...longTasks).toFixed(0) : 0} ms`);
    assert.ok(steps > 0, "the packing ran");
    assert.ok(minAngle > randomMin + 10, `the worst pair moved towards 90°: ${randomMin} → ${minAngle}`);
    assert.ok(minAngle <= welch + 1e-6, `no packing beats the Welch bound: ${minAngle} vs ${welch}`);
    assert.ok(seen[seen.length - 1] > seen[0] || seen[0] > randomMin, `the worst angle moved while it ran: ${seen}`);
    await page.waitForTimeout(1000);
    assert.equal(Number(await stats.getAttribute("data-step")), steps, "no steps after Stop");
    const histPoints = Number(await page.getByTestId("pack-panel").getByTestId("chart").nth(1).getAttribute("data-points"));
    assert.ok(histPoints >= 2, `the worst-angle chart has points (${histPoints})`);

    // ——— superposition: dense keeps the important features, sparse makes a pentagon ———
    await until(page, "toy-view", "ready", (v) => v === "true");
    const view = page.getByTestId("toy-view");
    await setSlider(page, "toy-sparsity", 0);
    await until(page, "toy-view", "index", (v) => v === "0");
    const dense = { represented: Number(await view.getAttribute("data-represented")), svg: await view.locator("svg").innerHTML() };
    await setSlider(page, "toy-sparsity", 8);
    await until(page, "toy-view", "index", (v) => v === "8");
    const sparse = { represented: Number(await view.getAttribute("data-represented")), svg: await view.locator("svg").innerHTML(), angles: ((await view.getAttribute("data-angles")) ?? "").split(",").map(Number) };
    t.diagnostic(`superposition: ${dense.represented} of 5 features represented when dense, ${sparse.represented} at S = 0.99 (angles ${sparse.angles.map((a) => a.toFixed(0)).join(", ")})`);
    assert.ok(dense.represented <= 3, `dense features: the model keeps few (${dense.represented})`);
    assert.equal(sparse.represented, 5, "sparse features: all five get a direction");
    assert.notEqual(dense.svg, sparse.svg, "the geometry changed");
    const sorted = [...sparse.angles].sort((a, b) => a - b);
    const gaps = sorted.map((a, i) => (i + 1 < sorted.length ? sorted[i + 1] : sorted[0] + 360) - a);
    for (const g of gaps) assert.ok(Math.abs(g - 72) < 12, `a pentagon: neighbours 72° apart (${gaps.map((v) => v.toFixed(1))})`);

    // ——— the fact GPT: trained here, one fact traced, edited and undone ———
    await page.getByTestId("facts-train").click();
    await until(page, "facts-model", "ready", (v) => v === "true", 300_000);
    const model = page.getByTestId("facts-model");
    const recall = { train: Number(await model.getAttribute("data-recall-train")), heldOut: Number(await model.getAttribute("data-recall-held-out")) };
    assert.ok(recall.train > 0.8, `the fact GPT recalls its facts (${recall.train})`);
    await page.getByTestId("facts-trace").click();
    await until(page, "facts-trace-out", "clean", () => true);
    const traced = page.getByTestId("facts-trace-out");
    const clean = Number(await traced.getAttribute("data-clean"));
    const corrupted = Number(await traced.getAttribute("data-corrupted"));
    const tokens = Number(await traced.getAttribute("data-tokens"));
    assert.ok(clean > corrupted + 0.2, `corrupting the subject hides the fact: clean ${clean}, corrupted ${corrupted}`);
    const residual = await page.getByTestId("trace-residual").locator(".cell").evaluateAll((cells) => cells.map((c) => Number(c.getAttribute("data-effect"))));
    for (const site of ["mlpOut", "attnOut"]) assert.equal(await page.getByTestId(`trace-${site}`).locator(".cell").count(), residual.length);
    const layers = residual.length / tokens;
    assert.ok(Number.isInteger(layers) && layers >= 2, `a cell per layer and token (${residual.length} cells, ${tokens} tokens)`);
    // the last block's output at the last token is everything the answer is read from: restoring it restores the clean run
    assert.ok(Math.abs(residual[residual.length - 1] - (clean - corrupted)) < 1e-3, `restoring the last residual state: ${residual[residual.length - 1]} vs ${clean - corrupted}`);
    await page.getByTestId("facts-edit").click();
    await until(page, "facts-edit-out", "edited", (v) => v === "true");
    const rows = await page.getByTestId("facts-edit-out").locator("tbody tr").evaluateAll((trs) => trs.map((r) => ({ kind: r.getAttribute("data-kind"), before: r.getAttribute("data-before"), after: r.getAttribute("data-after"), expected: r.getAttribute("data-expected") })));
    t.diagnostic(`fact GPT: recall ${recall.train.toFixed(3)} (training phrasings), ${recall.heldOut.toFixed(3)} (held out); trace clean ${clean.toFixed(3)}, corrupted ${corrupted.toFixed(3)}; edit: ${rows.map((r) => `${r.kind} ${r.before}→${r.after} (${r.expected})`).join("; ")}`);
    const edited = rows.filter((r) => r.kind === "edited phrasing");
    assert.ok(edited.length >= 2 && edited.every((r) => r.after === r.expected && r.before !== r.expected), "the edited phrasings state the new fact");
    const others = rows.filter((r) => r.kind === "other person");
    assert.ok(others.filter((r) => r.after === r.before).length >= others.length - 1, "other people keep their answers");
    // traced again, the old answer has lost its probability; undone, it has it back exactly
    await page.getByTestId("facts-trace").click();
    const editedClean = Number(await until(page, "facts-trace-out", "clean", (v) => Number(v) < 0.5 * clean));
    await page.getByTestId("facts-undo").click();
    await until(page, "facts-edit-out", "edited", (v) => v === "false");
    await page.getByTestId("facts-trace").click();
    await until(page, "facts-trace-out", "clean", (v) => Math.abs(Number(v) - clean) < 1e-6);
    t.diagnostic(`the old answer's probability: ${clean.toFixed(3)} before the edit, ${editedClean.toFixed(3)} after it, ${clean.toFixed(3)} again after the undo`);

    await page.screenshot({ path: path.join(ARTIFACTS, "lesson7.png"), fullPage: true });
    assert.deepEqual(foreign, [], "lesson 7 fetched from another origin");
    assert.deepEqual(errors, [], "errors in the browser");
    await context.close();
  });
});
