// Waiting on a page the way the lesson tests do: poll a data attribute until it is right, move a range
// slider as a drag would, and open a page checking its isolation and what it fetches.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { Lab } from "./browser.js";

export { until } from "./browser.js";

/** Sets a range input to `value` as a drag would (an input event); returns the value it took. */
export async function setSlider(page: Page, testId: string, value: number): Promise<number> {
  return page.getByTestId(testId).evaluate((input: HTMLInputElement, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return Number(input.value);
  }, value);
}

/**
 * Opens a lesson page, checks it is cross-origin isolated, and returns it with `foreign()`: every URL it
 * loaded from another origin — during the load (the page's resource timing) and since (requests).
 */
export async function openIsolated(lab: Lab, name: string): Promise<{ page: Page; foreign: () => Promise<string[]> }> {
  const page = await lab.open(name);
  const later: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(lab.url) && !r.url().startsWith("data:")) later.push(r.url());
  });
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true, `${name} is cross-origin isolated`);
  const foreign = async () => {
    const loaded = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
    return [...loaded.filter((u) => !u.startsWith(lab.url) && !u.startsWith("data:")), ...later];
  };
  return { page, foreign };
}
