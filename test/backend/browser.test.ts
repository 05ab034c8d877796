// The wasm backend in a browser Web Worker (headless Chromium, when installed): the loader fetches the
// .wasm, relaxed or plain SIMD is detected, and with cross-origin isolation the worker pool starts
// nested Workers over shared memory. Results must equal Node's, bit for bit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import http from "node:http";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import type { WasmBackend } from "../../src/backend/wasm/index.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import { ROOT } from "../helpers.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));

/** The computation both sides run: a seeded 300×300 product, summed. */
const PROGRAM = `
  const rng = new Rng(1);
  const a = ops.randn([300, 300], rng);
  const w = ops.randn([300, 300], rng);
  return ops.sum(ops.matmul(a, w)).item();`;

const WORKER = (threads: number) => `
import { createWasmBackend } from "/dist/src/backend/wasm/index.js";
import { registerBackend, setBackend } from "/dist/src/core/engine.js";
import * as ops from "/dist/src/core/ops.js";
import { Rng } from "/dist/src/core/rng.js";
try {
  const b = await createWasmBackend({ threads: ${threads} });
  registerBackend(b);
  setBackend("wasm");
  const value = (() => { ${PROGRAM} })();
  postMessage({ threads: b.threads, simd: b.simd, value });
} catch (e) { postMessage({ error: String(e && e.stack || e) }); }`;

const PAGE = `<!doctype html><script type="module">
for (const threads of [1, 2]) {
  const w = new Worker("/worker-" + threads + ".js", { type: "module" });
  w.onmessage = (e) => fetch("/report", { method: "POST", body: JSON.stringify({ asked: threads, ...e.data }) });
  w.onerror = (e) => fetch("/report", { method: "POST", body: JSON.stringify({ asked: threads, error: String(e.message) }) });
}
</script>`;

test("the wasm backend runs in a browser Worker, with and without threads", { timeout: 60_000 }, async (t) => {
  if (!CHROMIUM) return t.skip("Chromium is not installed (apt install chromium); browser test skipped");
  const node = (await init({ backend: "wasm" })) as WasmBackend;
  const expected = new Function("ops", "Rng", PROGRAM)(ops, Rng) as number;

  const reports: { asked: number; threads?: number; simd?: string; value?: number; error?: string }[] = [];
  let allIn: () => void = () => {};
  const done = new Promise<void>((resolve) => (allIn = resolve));
  const server = http.createServer((req, res) => {
    const headers = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };
    const url = req.url ?? "/";
    if (url === "/report") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        reports.push(JSON.parse(body));
        if (reports.length === 2) allIn();
        res.writeHead(200, headers).end();
      });
      return;
    }
    const generated = url === "/" ? PAGE : url.startsWith("/worker-") ? WORKER(Number(url.slice(8, -3))) : null;
    if (generated !== null) return res.writeHead(200, { ...headers, "content-type": url === "/" ? "text/html" : "text/javascript" }).end(generated);
    const file = path.join(ROOT, path.normalize(url).replace(/^([/\\])+/, ""));
    if (!file.startsWith(path.join(ROOT, "dist"))) return res.writeHead(404).end();
    fs.readFile(file, (err, data) => {
      if (err) return res.writeHead(404).end();
      const type = file.endsWith(".wasm") ? "application/wasm" : "text/javascript";
      res.writeHead(200, { ...headers, "content-type": type }).end(data);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "nnlab-chromium-"));
  const browser = spawn(CHROMIUM, ["--headless=new", "--no-sandbox", "--disable-gpu", `--user-data-dir=${profile}`, `http://127.0.0.1:${port}/`], { stdio: "ignore", detached: true });
  try {
    const timeout = new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`no answer from Chromium in 45 s (got ${JSON.stringify(reports)})`)), 45_000).unref());
    await Promise.race([done, timeout]);
  } finally {
    if (browser.exitCode === null && browser.signalCode === null) {
      const exited = new Promise((resolve) => browser.once("exit", resolve));
      // the whole process group: Chromium's helper processes would go on writing into the profile
      process.kill(-browser.pid!, "SIGTERM");
      await exited;
    }
    server.close();
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
  for (const r of reports.sort((a, b) => a.asked - b.asked)) {
    assert.equal(r.error, undefined, `browser worker (${r.asked} threads) failed: ${r.error}`);
    assert.equal(r.threads, r.asked);
    // the same kernel variant gives the same bits; plain SIMD and fused multiply-add differ in rounding
    if (r.simd === node.simd) assert.equal(r.value, expected, "the browser computes Node's numbers");
    else assert.ok(Math.abs(r.value! - expected) <= 1e-3 * Math.abs(expected), `browser ${r.value} vs Node ${expected}`);
  }
});
