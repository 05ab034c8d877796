// Waiting on a page the way the lesson tests do: poll a data attribute until it is right, and move a
// range slider as a drag would.
import type { Page } from "playwright-core";

/** Waits until the element's data attribute `name` satisfies `ok`; returns its value. */
export async function until(page: Page, testId: string, name: string, ok: (v: string) => boolean, timeout = 120_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await page.getByTestId(testId).first().getAttribute(`data-${name}`, { timeout }).catch(() => null);
    if (v !== null && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${testId} data-${name} never became right (last: ${v})`);
    await page.waitForTimeout(50);
  }
}

/** Sets a range input to `value` as a drag would (an input event); returns the value it took. */
export async function setSlider(page: Page, testId: string, value: number): Promise<number> {
  return page.getByTestId(testId).evaluate((input: HTMLInputElement, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return Number(input.value);
  }, value);
}
