// Every page of the web lab loads offline from `nnlab serve`, starts the engine in its worker (wasm,
// with threads: the server sends the isolation headers) and fetches nothing from another origin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { needChromium, withLab } from "./browser.js";

const PAGES = ["index.html", "lesson1.html", "lesson2.html", "lesson3.html", "lesson4.html", "lesson5.html", "lesson6.html", "lesson7.html"];

test("every page loads from nnlab serve, with the wasm engine in a worker and nothing from elsewhere", { timeout: 300_000 }, async (t) => {
  if (!needChromium(t)) return;
  await withLab(async (lab) => {
    for (const name of PAGES) {
      const page = await lab.open(name);
      const foreign: string[] = [];
      page.on("request", (r) => {
        if (!r.url().startsWith(lab.url)) foreign.push(r.url());
      });
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), true, `${name} is cross-origin isolated`);
      assert.ok(await page.locator("nav.lessons a").count() >= 4, `${name} links the lessons`);
      // every page starts the engine (the home page too: its status reaches "ready")
      const status = page.getByTestId("engine-status");
      await status.and(page.locator("[data-state=ready]")).waitFor({ timeout: 30_000 });
      assert.equal(await status.getAttribute("data-backend"), "wasm", `${name}: ${await status.getAttribute("title")}`);
      assert.match((await status.textContent()) ?? "", /2 threads|[3-8] threads/, `${name} runs the engine on worker threads`);
      // "-loaded": the lesson tests save the worked page under the page's own name
      await lab.screenshot(page, `${name.replace(".html", "")}-loaded`);
      assert.deepEqual(foreign, [], `${name} fetched from another origin`);
      await page.close();
    }
  });
});
