// Hugging Face hub resolution against a loopback server of the test's own that mimics the hub's URL
// layout (/api/models/<repo>/revision/main?blobs=true and /<repo>/resolve/<commit>/<file>): download into
// the cache layout, reuse of the cache, resume with a Range request, checksum refusal, offline errors.
// No test reaches the internet.

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { lstat, mkdir, mkdtemp, readFile, readlink, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { NnlabError } from "../../src/core/errors.js";
import { findCachedModel, isRepoId, resolveModelDir } from "../../src/io/hub.js";
import { ROOT } from "../helpers.js";

const REPO = "tiny-org/gpt-test";
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const CONFIG = Buffer.from(JSON.stringify({ model_type: "gpt2", n_layer: 1, n_head: 2, n_embd: 8, n_positions: 16, vocab_size: 10 }));
const WEIGHTS = randomBytes(200_000);
const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");
const gitSha1 = (b: Buffer): string => createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");

/** What the fake hub does next; tests set it, every request is logged. */
const hub = { breakAfter: 0, corrupt: false, log: [] as { url: string; range?: string }[] };
let server: Server;
let endpoint = "";
let cache = "";
const caches: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    hub.log.push({ url: req.url ?? "", range: req.headers.range });
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === `/api/models/${REPO}/revision/main` && url.searchParams.get("blobs") === "true") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: REPO,
          sha: COMMIT,
          siblings: [
            { rfilename: ".gitattributes", blobId: "a".repeat(40), size: 10 },
            { rfilename: "config.json", blobId: gitSha1(CONFIG), size: CONFIG.length },
            { rfilename: "model.safetensors", blobId: "b".repeat(40), size: WEIGHTS.length, lfs: { sha256: sha256(WEIGHTS), size: WEIGHTS.length, pointerSize: 134 } },
          ],
        }),
      );
      return;
    }
    const file = url.pathname === `/${REPO}/resolve/${COMMIT}/config.json` ? CONFIG : url.pathname === `/${REPO}/resolve/${COMMIT}/model.safetensors` ? WEIGHTS : null;
    if (!file) {
      res.writeHead(404).end(`not found: ${url.pathname}`);
      return;
    }
    let body: Buffer = file;
    if (hub.corrupt && file === WEIGHTS) {
      body = Buffer.from(file);
      body[100] ^= 0xff; // always a different byte (filling in a fixed value left random data unchanged 1 time in 256)
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (m) {
      body = body.subarray(Number(m[1]));
      res.writeHead(206, { "content-length": body.length, "content-range": `bytes ${m[1]}-${file.length - 1}/${file.length}` });
    } else res.writeHead(200, { "content-length": body.length });
    if (hub.breakAfter > 0 && file === WEIGHTS) {
      const cut = hub.breakAfter;
      hub.breakAfter = 0;
      res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  endpoint = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(async () => {
  cache = await mkdtemp(path.join(tmpdir(), "nnlab-hub-"));
  caches.push(cache);
  Object.assign(hub, { breakAfter: 0, corrupt: false, log: [] });
});

async function rejectsWith(p: Promise<unknown>, ...parts: string[]): Promise<string> {
  let message = "";
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof NnlabError, String(e));
    assert.ok(!e.message.includes("\n"));
    for (const part of parts) assert.ok(e.message.includes(part), `${e.message} should mention ${part}`);
    message = e.message;
    return true;
  });
  return message;
}

describe("resolveModelDir", () => {
  it("downloads into the Hugging Face cache layout, then finds it there without asking the hub", async () => {
    const progress: number[] = [];
    const dir = await resolveModelDir(REPO, { endpoint, cacheDir: cache, env: {}, onProgress: (f, done, total) => f === "model.safetensors" && progress.push(done / total) });
    const root = path.join(cache, "models--tiny-org--gpt-test");
    assert.equal(dir, path.join(root, "snapshots", COMMIT));
    assert.deepEqual(await readFile(path.join(dir, "model.safetensors")), WEIGHTS);
    assert.deepEqual(await readFile(path.join(dir, "config.json")), CONFIG);
    assert.ok((await lstat(path.join(dir, "model.safetensors"))).isSymbolicLink());
    assert.equal(await readlink(path.join(dir, "model.safetensors")), path.join("..", "..", "blobs", sha256(WEIGHTS)));
    assert.equal(await readlink(path.join(dir, "config.json")), path.join("..", "..", "blobs", gitSha1(CONFIG)));
    assert.equal(await readFile(path.join(root, "refs", "main"), "utf8"), COMMIT);
    assert.deepEqual((await readdir(path.join(root, "blobs"))).sort(), [gitSha1(CONFIG), sha256(WEIGHTS)].sort());
    assert.equal(progress.at(-1), 1);
    assert.equal(hub.log.length, 3, "metadata + two files");

    hub.log = [];
    assert.equal(await resolveModelDir(REPO, { endpoint, cacheDir: cache, env: {} }), dir);
    assert.equal(await findCachedModel(REPO, { cacheDir: cache }), dir);
    assert.equal(hub.log.length, 0, "the cache answers");
  });

  it("resumes a broken download with a Range request and checks the result", async () => {
    hub.breakAfter = 65_536;
    await rejectsWith(resolveModelDir(REPO, { endpoint, cacheDir: cache, env: {} }), "broke off", "resumes");
    const partial = path.join(cache, "models--tiny-org--gpt-test", "blobs", sha256(WEIGHTS) + ".incomplete");
    const have = (await stat(partial)).size;
    assert.ok(have >= 65_536 && have < WEIGHTS.length, `partial file of ${have} bytes`);
    hub.log = [];
    const dir = await resolveModelDir(REPO, { endpoint, cacheDir: cache, env: {} });
    assert.deepEqual(await readFile(path.join(dir, "model.safetensors")), WEIGHTS);
    const get = hub.log.find((l) => l.url.endsWith("model.safetensors"));
    assert.equal(get?.range, `bytes=${have}-`);
  });

  it("refuses a file whose SHA-256 disagrees with the hub's metadata and keeps nothing of it", async () => {
    hub.corrupt = true;
    await rejectsWith(resolveModelDir(REPO, { endpoint, cacheDir: cache, env: {} }), "model.safetensors with sha256", sha256(WEIGHTS), "afresh");
    const blobs = await readdir(path.join(cache, "models--tiny-org--gpt-test", "blobs"));
    assert.ok(!blobs.some((b) => b.startsWith(sha256(WEIGHTS))), blobs.join(", "));
    assert.equal(await findCachedModel(REPO, { cacheDir: cache }), undefined);
  });

  it("says in one line how to get a model it cannot reach, and honours HF_HUB_OFFLINE", async () => {
    await rejectsWith(resolveModelDir("gpt2", { endpoint: "http://127.0.0.1:1", cacheDir: cache, env: {} }), "--model gpt2", "cannot be reached", "models--gpt2", "--model DIR");
    hub.log = [];
    await rejectsWith(resolveModelDir(REPO, { endpoint, cacheDir: cache, env: { HF_HUB_OFFLINE: "1" } }), "HF_HUB_OFFLINE", "--model DIR");
    assert.equal(hub.log.length, 0);
    await rejectsWith(resolveModelDir("someone/missing", { endpoint, cacheDir: cache, env: {} }), "no such model", "HTTP 404");
  });

  it("returns a directory as is, finds a cache laid out by hand and reads HF_HOME", async () => {
    assert.equal(await resolveModelDir(cache, { env: {} }), cache);
    const snap = path.join(cache, "hub", "models--gpt2", "snapshots", COMMIT);
    await mkdir(snap, { recursive: true });
    await writeFile(path.join(snap, "config.json"), CONFIG);
    await writeFile(path.join(snap, "model.safetensors"), WEIGHTS);
    assert.equal(await resolveModelDir("gpt2", { env: { HF_HOME: cache, HF_HUB_OFFLINE: "1" } }), snap);
    await rejectsWith(resolveModelDir("./no/such/dir", { env: {} }), "no such directory");
    assert.ok(isRepoId("gpt2") && isRepoId("openai-community/gpt2") && !isRepoId("a/b/c") && !isRepoId("../x"));
  });
});

describe("nnlab gpt info --model OWNER/NAME", () => {
  it("downloads through HF_ENDPOINT into HF_HOME and tallies the config", async () => {
    // The child runs asynchronously: a blocking spawn would stall this process's loopback server.
    const child = spawn(process.execPath, [path.join(ROOT, "bin/nnlab.js"), "gpt", "info", "--model", REPO, "--json"], {
      env: { ...process.env, HF_ENDPOINT: endpoint, HF_HOME: cache, HF_HUB_CACHE: "", HF_HUB_OFFLINE: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as { model_dir: string; full_total: number };
    assert.equal(out.model_dir, REPO);
    assert.equal(out.full_total, 10 * 8 + 16 * 8 + (3 * 8 * 8 + 3 * 8) + (8 * 8 + 8) + (4 * 8 * 8 + 32) + (4 * 8 * 8 + 8) + 3 * 2 * 8);
    assert.ok((await stat(path.join(cache, "hub", "models--tiny-org--gpt-test", "refs", "main"))).isFile());
  });
});

after(() => Promise.all(caches.map((c) => rm(c, { recursive: true, force: true }))));
