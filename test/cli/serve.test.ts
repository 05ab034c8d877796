// `nnlab serve` end to end: the real binary on a free port, real MNIST files, a real trained run in a
// temp runs folder. Every response is cross-origin isolated; the runs folder is read-only and nothing
// outside the served folders can be reached.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { mnistDataDir } from "../../src/data/mnist.js";
import { loadEmbeddedCorpus } from "../../src/data/text/corpus-file.js";
import { currentRunFiles } from "../../src/io/run-dir.js";
import { nnlab, ROOT } from "../helpers.js";

let runs = "";
let server: ChildProcess | undefined;
let base = "";

before(async () => {
  runs = await mkdtemp(path.join(tmpdir(), "nnlab-serve-"));
  const trained = await nnlab("train", "mnist", "--epochs", "1", "--train-limit", "2000", "--test-limit", "500", "--out", path.join(runs, "tiny"), "--json");
  assert.equal(trained.code, 0, trained.stderr);
  await writeFile(path.join(runs, "notes.txt"), "not a run");
  server = spawn(process.execPath, [path.join(ROOT, "bin/nnlab.js"), "serve", "--port", "0", "--runs", runs, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  base = await new Promise<string>((resolve, reject) => {
    let out = "";
    server!.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve((JSON.parse(out.split("\n")[0]) as { url: string }).url);
    });
    server!.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
  });
});
after(async () => {
  server?.kill();
  await rm(runs, { recursive: true, force: true });
});

function expectIsolated(res: Response, what: string): void {
  assert.equal(res.headers.get("cross-origin-opener-policy"), "same-origin", `${what}: COOP`);
  assert.equal(res.headers.get("cross-origin-embedder-policy"), "require-corp", `${what}: COEP`);
}

describe("nnlab serve", () => {
  test("listens on 127.0.0.1 and prints its URL", () => {
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test("serves every lesson page and its scripts, cross-origin isolated", async () => {
    for (const page of ["", "index.html", "lesson1.html", "lesson2", "lesson3.html", "lesson4.html"]) {
      const res = await fetch(base + page);
      assert.equal(res.status, 200, `/${page}`);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      expectIsolated(res, `/${page}`);
      const html = await res.text();
      for (const m of html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)) {
        const asset = await fetch(base + m[1]);
        assert.equal(asset.status, 200, m[1]);
        expectIsolated(asset, m[1]);
        await asset.arrayBuffer();
      }
    }
  });

  test("serves the MNIST IDX files byte for byte", async () => {
    const res = await fetch(base + "data/mnist/t10k-labels-idx1-ubyte");
    assert.equal(res.status, 200);
    expectIsolated(res, "MNIST");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual(bytes, new Uint8Array(await readFile(path.join(mnistDataDir(), "t10k-labels-idx1-ubyte"))));
    assert.equal((await fetch(base + "data/mnist/package.json")).status, 404);
  });

  test("serves the GPT's embedded corpus as the CLI reads it", async () => {
    const res = await fetch(base + "data/text/shakespeare.txt");
    assert.equal(res.status, 200);
    expectIsolated(res, "corpus");
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await res.text(), await loadEmbeddedCorpus());
  });

  test("lists the runs that hold a model and serves their files read-only", async () => {
    const { runs: listed } = (await (await fetch(base + "api/runs")).json()) as { runs: { name: string; files: string[] }[] };
    assert.deepEqual(listed.map((r) => r.name), ["tiny"], "notes.txt is not a run");
    assert.ok(listed[0].files.includes("model.safetensors") && listed[0].files.includes("config.json"));
    const model = await fetch(base + "runs/tiny/model.safetensors");
    assert.equal(model.status, 200);
    assert.deepEqual(new Uint8Array(await model.arrayBuffer()), new Uint8Array(await readFile(path.join(currentRunFiles(path.join(runs, "tiny"))!, "model.safetensors"))));
    const put = await fetch(base + "runs/tiny/model.safetensors", { method: "PUT", body: "x" });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get("allow"), "GET, HEAD");
    assert.equal((await fetch(base + "runs/tiny/config.json", { method: "DELETE" })).status, 405);
    assert.ok((await readFile(path.join(currentRunFiles(path.join(runs, "tiny"))!, "model.safetensors"))).length > 0, "the model is still there");
  });

  test("nothing outside the served folders can be reached", async () => {
    // raw requests: fetch() would normalise the dots away before sending
    const raw = (p: string) =>
      new Promise<string>((resolve, reject) => {
        const u = new URL(base);
        const s = net.connect(Number(u.port), u.hostname, () => s.write(`GET ${p} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`));
        let out = "";
        s.on("data", (d) => (out += d.toString()));
        s.on("end", () => resolve(out.split("\r\n")[0]));
        s.on("error", reject);
      });
    for (const p of ["/runs/../package.json", "/runs/tiny/../../package.json", "/runs/%2e%2e/%2e%2e/package.json", "/../package.json", "/%2e%2e/package.json", "/runs/tiny/state.json/..", "/runs/notes.txt/x"]) {
      assert.match(await raw(p), /^HTTP\/1\.1 (404|400)/, p);
    }
    assert.equal((await fetch(base + "runs/tiny/../../README.md")).status, 404);
  });

  test("a busy port or a bad --port is a clear error with exit code 2", async () => {
    const port = new URL(base).port;
    const busy = await nnlab("serve", "--port", port);
    assert.equal(busy.code, 2, busy.stderr);
    assert.match(busy.stderr, /--port \d+.*another program listens.*another port/);
    const bad = await nnlab("serve", "--port", "70000");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--port/);
  });
});
