// `nnlab gpt tokenize` and `nnlab gpt bpe-train` end to end: the real binary, the embedded corpus, a
// tokenizer directory in a temp folder, and the clear errors for bad flags and files.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { nnlab } from "../helpers.js";

let dir = "";
before(async () => (dir = await mkdtemp(path.join(tmpdir(), "nnlab-gpt-tok-"))));
after(() => rm(dir, { recursive: true, force: true }));

async function json(...args: string[]): Promise<Record<string, unknown>> {
  const r = await nnlab(...args, "--json");
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

async function userError(args: string[], ...parts: string[]): Promise<void> {
  const r = await nnlab(...args);
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  for (const p of parts) assert.ok(lines[0].includes(p), `${lines[0]} should mention ${p}`);
}

describe("nnlab gpt tokenize", () => {
  it("--json prints exactly {tokens, pieces} with GPT-2's ids", async () => {
    const out = await json("gpt", "tokenize", "--text", "Hello world");
    assert.deepEqual(out, { tokens: [15496, 995], pieces: ["Hello", " world"] });
  });
  it("prints one id and piece per line", async () => {
    const r = await nnlab("gpt", "tokenize", "--tokenizer", "char", "--text", "ROMEO:");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0], /^6 tokens \(char, vocabulary \d+\)$/);
    assert.deepEqual(lines.slice(1).map((l) => l.trim().split(/\s+/)[1]), ['"R"', '"O"', '"M"', '"E"', '"O"', '":"']);
  });
  it("uses a char vocabulary from --data", async () => {
    await writeFile(path.join(dir, "abc.txt"), "cab");
    assert.deepEqual(await json("gpt", "tokenize", "--tokenizer", "char", "--data", path.join(dir, "abc.txt"), "--text", "abc"), { tokens: [0, 1, 2], pieces: ["a", "b", "c"] });
  });
  it("refuses characters outside a char vocabulary, a missing text and a missing directory", async () => {
    await userError(["gpt", "tokenize", "--tokenizer", "char", "--text", "👋"], "U+1F44B", "69 characters");
    await userError(["gpt", "tokenize"], "--text");
    await userError(["gpt", "tokenize", "--tokenizer", path.join(dir, "none"), "--text", "x"], "tokenizer.json", "no such file", "bpe-train");
  });
});

describe("nnlab gpt bpe-train", () => {
  it("learns merges from the embedded corpus into DIR/tokenizer.json that tokenize reads", async () => {
    const out = path.join(dir, "bpe");
    const res = await json("gpt", "bpe-train", "--vocab-size", "300", "--out", out);
    assert.equal(res.vocab_size, 300);
    assert.equal(res.merges, 44);
    assert.ok((res.bytes_per_token as number) > 1.3, `compression ${res.bytes_per_token}`);
    const spec = JSON.parse(await readFile(path.join(out, "tokenizer.json"), "utf8")) as { kind: string; merges: number[][] };
    assert.equal(spec.kind, "bpe");
    assert.equal(spec.merges.length, 44);
    const tok = await json("gpt", "tokenize", "--tokenizer", out, "--text", "the king");
    assert.equal((tok.pieces as string[]).join(""), "the king");
    assert.ok((tok.tokens as number[]).some((id) => id >= 256), "some merged tokens");
  });
  it("names a bad vocabulary size and a damaged tokenizer file", async () => {
    await userError(["gpt", "bpe-train", "--vocab-size", "100", "--out", path.join(dir, "x")], "--vocab-size");
    await writeFile(path.join(dir, "tokenizer.json"), '{"kind":"bpe","pattern":"gpt2","merges":[[1,999]]}');
    await userError(["gpt", "tokenize", "--tokenizer", dir, "--text", "x"], "tokenizer.json: merges[0]");
  });
});
