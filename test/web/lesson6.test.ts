// Lesson 6 in real Chromium: the page is cross-origin isolated and fetches nothing from elsewhere; a
// heatmap per head renders; the enlarged pattern's rows add up to 1 and, with the causal mask, nothing
// lies above the diagonal — switched off, a token attends to a later one; the query-against-keys table
// gives softmax(q·k/√d_k) as its weights; the patterns change while the tiny GPT trains in the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { needChromium, withLab } from "./browser.js";
import { openIsolated, until } from "./wait.js";

async function pattern(page: Page): Promise<number[][]> {
  return JSON.parse((await page.getByTestId("attention-big").getAttribute("data-pattern")) ?? "[]") as number[][];
}

test("lesson 6: every head's pattern, the mask and scaling switches, q·k, and patterns changing as the GPT trains", { timeout: 300_000 }, async (t) => {
  if (!needChromium(t)) return;
  await withLab(async (lab) => {
    const { page, foreign } = await openIsolated(lab, "lesson6.html");
    await until(page, "gpt-model", "ready", (v) => v === "true");
    await until(page, "attention-grid", "causal", (v) => v === "true");
    // the tiny GPT: 2 blocks × 4 heads, each a drawn canvas
    assert.equal(await page.locator("[data-testid=attention-grid] button.head canvas").count(), 8);
    const T = Number(await page.getByTestId("attention-grid").getAttribute("data-tokens"));
    const masked = await pattern(page);
    assert.equal(masked.length, T);
    masked.forEach((row, i) => {
      assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-4, `row ${i} sums to 1`);
      row.forEach((w, j) => {
        if (j > i) assert.equal(w, 0, `masked: token ${i} gives no weight to later token ${j}`);
      });
    });
    assert.ok((await page.locator("[data-testid=attention-big] td.masked").count()) > 0);

    // the mask off: tokens attend to later ones
    await page.getByTestId("causal").uncheck();
    await until(page, "attention-grid", "causal", (v) => v === "false");
    await page.locator("[data-testid=attention-big][data-causal=false]").waitFor();
    const open = await pattern(page);
    const ahead = open.flatMap((row, i) => row.filter((_, j) => j > i));
    assert.ok(ahead.some((w) => w > 0.001), `some weight above the diagonal (largest ${Math.max(...ahead)})`);
    assert.equal(await page.locator("[data-testid=attention-big] td.masked").count(), 0);
    await page.getByTestId("causal").check();
    await until(page, "attention-grid", "causal", (v) => v === "true");

    // another head, and one token's query against every key: weights = softmax(q·k / √d_k) over earlier keys
    await page.getByTestId("head-1-2").click();
    await page.locator("[data-testid=attention-big-view][data-layer='1'][data-head='2']").waitFor();
    await page.locator("[data-testid=qkv-tokens] button").nth(5).click();
    await page.locator("[data-testid=qkv][data-token='5'][data-layer='1'][data-head='2']").waitFor();
    const rows = await page.locator("[data-testid=qkv] tbody tr").evaluateAll((trs) => trs.map((r) => ({ w: Number(r.getAttribute("data-weight")), dot: Number(r.getAttribute("data-dot")) })));
    assert.equal(rows.length, T);
    const dk = Number(await page.getByTestId("gpt-model").getAttribute("data-width")) / Number(await page.getByTestId("gpt-model").getAttribute("data-heads"));
    const scores = rows.slice(0, 6).map((r) => r.dot / Math.sqrt(dk));
    const m = Math.max(...scores);
    const z = scores.reduce((s, v) => s + Math.exp(v - m), 0);
    scores.forEach((s, j) => assert.ok(Math.abs(rows[j].w - Math.exp(s - m) / z) < 1e-3, `weight ${j}: ${rows[j].w} vs softmax ${Math.exp(s - m) / z}`));
    rows.slice(6).forEach((r) => assert.equal(r.w, 0, "later keys are masked"));
    // the same row as the enlarged pattern
    const big = await pattern(page);
    rows.forEach((r, j) => assert.ok(Math.abs(r.w - big[5][j]) < 1e-6));

    // train: the patterns redraw with the weights and change
    const before = await page.getByTestId("attention-grid").getAttribute("data-version");
    await page.getByTestId("gpt-train-run").click();
    await until(page, "gpt-train-stats", "iter", (v) => Number(v) >= 40, 120_000);
    await page.getByTestId("gpt-train-pause").click();
    await until(page, "gpt-train-stats", "state", (v) => v === "paused");
    // views off screen wait to be scrolled to before they redraw
    await page.getByTestId("attention-grid").scrollIntoViewIfNeeded();
    await until(page, "attention-grid", "version", (v) => v !== before);
    await page.locator("[data-testid=attention-grid]:not([data-busy])").waitFor();
    const trained = await pattern(page);
    const change = trained.flatMap((row, i) => row.map((w, j) => Math.abs(w - big[i][j])));
    assert.ok(Math.max(...change) > 0.01, `block 1 head 2 changed as it trained (largest change ${Math.max(...change)})`);
    await lab.screenshot(page, "lesson6");
    assert.deepEqual(await foreign(), [], "nothing fetched from another origin");
  });
});
