// Lesson 4 in Chromium: dragging the toy chain's weight with the mouse changes every factor, and the
// chain-rule product shown still equals the central finite difference shown; the same for weights of
// the real network chosen with the keyboard, with the matrix form agreeing with autograd.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { needChromium, withLab } from "./browser.js";

/**
 * How closely the chain-rule product must match the central difference: float32 forward passes make
 * (C(w+ε) − C(w−ε))/2ε noisy by about 1e-7·C/ε, plus the O(ε²) curvature term; at the pages' default ε
 * (1e-3 toy, 1e-2 real net) both stay far below this.
 */
const TOLERANCE = { relative: 1e-2, absolute: 1e-4 };

function assertAgree(product: number, fd: number, what: string): void {
  const allowed = TOLERANCE.absolute + TOLERANCE.relative * Math.abs(fd);
  assert.ok(Math.abs(product - fd) <= allowed, `${what}: chain-rule product ${product} vs finite difference ${fd} (allowed ±${allowed})`);
}

const value = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute("data-value"));

/** Product, finite difference and autograd as the page shows them under `prefix`. */
async function check(page: Page, prefix: string): Promise<{ product: number; fd: number; autograd: number; dzdw: number }> {
  return { product: await value(page, `${prefix}-product`), fd: await value(page, `${prefix}-fd`), autograd: await value(page, `${prefix}-autograd`), dzdw: await value(page, `${prefix}-dz-dw`) };
}

/** Drags a range input's thumb from `from` to `to` (fractions of its width) with the mouse. */
async function drag(page: Page, input: Locator, from: number, to: number): Promise<void> {
  const box = (await input.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + from * box.width, y);
  await page.mouse.down();
  await page.mouse.move(box.x + to * box.width, y, { steps: 8 });
  await page.mouse.up();
}

test("lesson 4: drag w and the chain rule still equals the finite difference, for the toy chain and the real network", { timeout: 600_000 }, async (t) => {
  if (!needChromium(t)) return;
  await withLab(async (lab) => {
    const page = await lab.open("lesson4.html");
    const toy = page.locator("[data-testid=toy-panel][data-w]:not([data-busy])");
    await toy.waitFor({ timeout: 300_000 });
    assert.equal(await toy.getAttribute("data-w"), "1.5,-2,2.5");
    const before = await check(page, "toy");
    assertAgree(before.product, before.fd, "toy w⁽³⁾ at the start");
    assertAgree(before.product, before.autograd, "toy w⁽³⁾ product vs autograd");

    // drag w⁽³⁾ from 2.5 (13/16 of the range −4..4) to about −1.6 with the mouse
    await drag(page, page.getByTestId("toy-w3"), 13 / 16, 0.3);
    const moved = page.locator('[data-testid=toy-panel][data-w]:not([data-busy]):not([data-w="1.5,-2,2.5"])');
    await moved.waitFor({ timeout: 180_000 });
    const w3 = Number((await moved.getAttribute("data-w"))!.split(",")[2]);
    assert.ok(w3 < 0, `the drag moved w⁽³⁾ to ${w3}`);
    assert.equal(Number(await page.getByTestId("toy-w3").inputValue()), w3, "the page computed the slider's value");
    assert.equal(await page.locator('[data-node="w3"] .node-value').textContent(), w3.toFixed(3), "the graph shows the new w⁽³⁾");
    const after = await check(page, "toy");
    assert.notEqual(after.product, before.product, "the product changed");
    assert.notEqual(after.fd, before.fd, "the finite difference changed");
    assertAgree(after.product, after.fd, `toy w⁽³⁾ = ${w3}`);

    // the longest chain, for w⁽¹⁾, after moving the input with the keyboard
    await page.getByTestId("toy-layer").selectOption("1");
    await page.getByTestId("toy-input").focus();
    for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowLeft");
    await page.locator('[data-testid=toy-panel][data-layer="1"][data-input="0.7"]:not([data-busy])').waitFor({ timeout: 180_000 });
    const first = await check(page, "toy");
    assert.ok(Math.abs(first.dzdw - 0.7) < 1e-6, `∂z⁽¹⁾/∂w⁽¹⁾ = a⁽⁰⁾ = 0.7, shown ${first.dzdw}`);
    assertAgree(first.product, first.fd, "toy w⁽¹⁾");

    // a large ε: the secant (C(w+ε) − C(w−ε))/2ε moves while the chain-rule product, a property of w alone, stays
    await page.getByTestId("toy-epsilon").focus();
    await page.keyboard.press("End");
    await toy.waitFor({ timeout: 180_000 });
    const epsilon = Number(await page.locator("[data-testid=toy-panel] table").getAttribute("data-epsilon"));
    assert.ok(epsilon > 0.4, `ε at the slider's end (0.5, to a step): ${epsilon}`);
    const wide = await check(page, "toy");
    assert.equal(wide.product, first.product, "the product does not depend on ε");
    assert.notEqual(wide.fd, first.fd, `the finite difference does: ${first.fd} at ε = 0.001, ${wide.fd} at ε = ${epsilon}`);

    // the real network, trained on request: its last layer's steepest weight, then others along the same row by keyboard
    await page.getByTestId("network-train").click();
    const net = page.locator("[data-testid=net-panel][data-weight]:not([data-busy])");
    await net.waitFor({ timeout: 300_000 });
    const [layer, j, k] = (await net.getAttribute("data-weight"))!.split(",").map(Number);
    assert.equal(layer, 3);
    const steepest = await check(page, "net");
    assertAgree(steepest.product, steepest.fd, `real w⁽³⁾[${j}][${k}]`);
    assertAgree(steepest.product, steepest.autograd, "real product vs autograd");
    await page.getByTestId("net-k").focus();
    const k2 = k >= 3 ? k - 3 : k + 3;
    for (let i = 0; i < 3; i++) await page.keyboard.press(k >= 3 ? "ArrowLeft" : "ArrowRight");
    await page.locator(`[data-testid=net-panel][data-weight="3,${j},${k2}"]:not([data-busy])`).waitFor({ timeout: 180_000 });
    const other = await check(page, "net");
    assert.notEqual(other.dzdw, steepest.dzdw, "another column k: another previous activation a⁽²⁾ₖ");
    assertAgree(other.product, other.fd, `real w⁽³⁾[${j}][${k2}]`);

    // a first-layer weight: the chain runs through two hidden layers; the matrix form agrees with autograd
    await page.getByTestId("net-layer").selectOption("1");
    await page.locator('[data-testid=net-panel][data-weight^="1,"]:not([data-busy])').waitFor({ timeout: 180_000 });
    const deep = await check(page, "net");
    assert.ok(deep.product !== 0, "the steepest first-layer weight has a gradient");
    assertAgree(deep.product, deep.fd, "real first-layer weight");
    const worst = Number(await page.getByTestId("matrix").getAttribute("data-worst-weight-error"));
    assert.ok(worst < 1e-6, `δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ matches autograd's ∂C/∂W⁽ˡ⁾ to ${worst}`);
    assert.equal(await page.locator("[data-testid^=delta-]").count(), 3, "one δ strip per layer");
    await lab.screenshot(page, "lesson4");
  });
});
