// nnlab in the browser: the web lab served by nnlab's own server, opened in headless Chromium (Debian's
// chromium driven by playwright-core), and an epoch timed in the page's engine worker — the same
// MnistTrainer code as in Node, bundled by Vite, with the wasm backend on the page's worker threads.

import fs from "node:fs";
import { chromium } from "playwright-core";
import { startServer } from "../src/server/server.js";
import type { PresetName } from "../src/train/config.js";
import { statsOf, type Stats } from "./harness.js";

export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));

/** The part of the page's engine client (web/src/engine/client.ts, `window.nnlab`) used here. */
interface PageEngine {
  call(method: "benchEpoch", params: { preset: PresetName; images: number; warmupImages: number; runs: number }): Promise<{ seconds: number[]; testAccuracy: number; backend: string; threads: number }>;
}

export interface BrowserEpochs {
  stats: Stats;
  testAccuracy: number;
  backend: string;
  threads: number;
}

/** Times epochs of a preset in Chromium; returns the timings, or why it could not run. */
export async function chromiumEpochs(preset: PresetName, images: number, warmupImages: number, runs: number): Promise<BrowserEpochs | string> {
  if (!CHROMIUM) return "skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)";
  const server = await startServer({ port: 0, host: "127.0.0.1", runsDir: "runs" });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage();
    // the home page: no lesson starts work of its own in the engine worker
    await page.goto(server.url);
    await page.waitForFunction(() => "nnlab" in window);
    const r = await page.evaluate((p) => (window as unknown as { nnlab: PageEngine }).nnlab.call("benchEpoch", p), { preset, images, warmupImages, runs });
    return { stats: statsOf(r.seconds), testAccuracy: r.testAccuracy, backend: r.backend, threads: r.threads };
  } catch (err) {
    return `Chromium run failed: ${(err as Error).message.split("\n")[0]}`;
  } finally {
    await browser.close();
    await server.close();
  }
}
