// The web lab in real headless Chromium (Debian's chromium, driven by playwright-core; never a downloaded
// browser), served by the real `nnlab serve` binary. Tests call `withLab` and get a page per test;
// screenshots land in test-artifacts/web/ (git-ignored) for a reviewer.

import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { TestContext } from "node:test";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { ROOT } from "../helpers.js";

export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
export const ARTIFACTS = path.join(ROOT, "test-artifacts", "web");

/** Skips the test with a clear line when Chromium is not installed; true when it can run. */
export function needChromium(t: TestContext): boolean {
  if (CHROMIUM) return true;
  const line = "skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)";
  console.log(`# ${line}`);
  t.skip(line);
  return false;
}

/** Waits until the element's data attribute `name` is present and satisfies `ok` (polled from here). */
export async function until(page: Page, testId: string, name: string, ok: (v: string) => boolean, timeout = 120_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await page.getByTestId(testId).first().getAttribute(`data-${name}`, { timeout }).catch(() => null);
    if (v !== null && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${testId} data-${name} never became right (last: ${v})`);
    await page.waitForTimeout(50);
  }
}

export interface Lab {
  url: string;
  browser: Browser;
  /**
   * Opens a page of the lab (e.g. "lesson1.html") at `width` CSS pixels (default 1280); browser errors
   * fail the test. `shared`: in one browser context for the whole run, so pages share IndexedDB (a
   * network trained on one page is cached for the next).
   */
  open(page: string, options?: { width?: number; shared?: boolean }): Promise<Page>;
  /** Saves a full-page screenshot under test-artifacts/web/NAME.png. */
  screenshot(page: Page, name: string): Promise<void>;
}

function startServer(runsDir: string): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin/nnlab.js"), "serve", "--port", "0", "--runs", runsDir, "--json"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, child });
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => reject(new Error(`nnlab serve exited with ${code}: ${err}`)));
  });
}

/** Starts `nnlab serve` and Chromium, runs `fn`, and always stops both. */
export async function withLab(fn: (lab: Lab) => Promise<void>, options: { runsDir?: string } = {}): Promise<void> {
  const { url, child } = await startServer(options.runsDir ?? path.join(ROOT, "runs"));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const errors: string[] = [];
  let shared: BrowserContext | null = null;
  try {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await fn({
      url,
      browser,
      async open(page, options = {}) {
        const viewport = { width: options.width ?? 1280, height: 900 };
        let p: Page;
        if (options.shared) {
          shared ??= await browser.newContext();
          p = await shared.newPage();
          await p.setViewportSize(viewport);
        } else p = await browser.newPage({ viewport });
        p.on("pageerror", (e) => errors.push(`${page}: ${e.message}`));
        p.on("console", (m) => {
          if (m.type() === "error") errors.push(`${page}: console: ${m.text()}`);
        });
        await p.goto(new URL(page, url).href);
        return p;
      },
      async screenshot(page, name) {
        await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
      },
    });
    if (errors.length) throw new Error(`errors in the browser:\n${errors.join("\n")}`);
  } finally {
    await browser.close();
    child.kill();
  }
}
