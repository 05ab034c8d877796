// `nnlab gpt …` end to end: the real binary in a child process on checkpoints the test writes itself.
// JSON contracts and the clear one-line errors (exit code 2) for bad models and flags.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { nnlab } from "../helpers.js";
import { referenceLogits, tinyGpt2, writeGpt2Dir } from "../models/gpt-reference.js";

/** Expects a user error: exit code 2, one line on stderr containing every part, no stack trace. */
async function expectUserError(args: string[], ...parts: string[]): Promise<string> {
  const r = await nnlab(...args);
  assert.equal(r.code, 2, `nnlab ${args.join(" ")} should exit 2; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace without --debug");
  for (const p of parts) assert.ok(lines[0].includes(p), `"${lines[0]}" should mention "${p}"`);
  return lines[0];
}

let dir = "";
const g = tinyGpt2({ vocab: 7 });
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-gpt-cli-"));
  await writeGpt2Dir(path.join(dir, "hf"), g, { prefix: true, buffers: true });
  await writeGpt2Dir(path.join(dir, "mismatch"), g, { config: { vocab_size: 9 } });
});
after(() => rm(dir, { recursive: true, force: true }));

describe("gpt logits", () => {
  test("--json prints exactly {shape, logits}, GPT-2's logits row-major", async () => {
    const r = await nnlab("gpt", "logits", "--model", path.join(dir, "hf"), "--tokens", "1,2,3", "--json");
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { shape: number[]; logits: number[] };
    assert.deepEqual(Object.keys(out), ["shape", "logits"]);
    assert.deepEqual(out.shape, [3, 7]);
    const ref = referenceLogits(g, [1, 2, 3]).flatMap((row) => Array.from(row));
    assert.equal(out.logits.length, ref.length);
    const scale = Math.max(...ref.map(Math.abs));
    out.logits.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) <= 1e-4 * scale, `logit ${i}: ${v} vs ${ref[i]}`));
  });

  test("without --json: the top candidates per position", async () => {
    const r = await nnlab("gpt", "logits", "--model", path.join(dir, "hf"), "--tokens", "1,2");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 positions × 7 tokens/);
  });

  test("bad models and flags: one clear line, exit 2", async () => {
    await expectUserError(["gpt", "logits", "--model", path.join(dir, "none"), "--tokens", "1"], "--model", "no such directory", "nnlab gpt train");
    await expectUserError(["gpt", "logits", "--model", path.join(dir, "mismatch"), "--tokens", "1"], "wte.weight", "shape [9, 8]", "[7, 8]");
    await expectUserError(["gpt", "logits", "--model", path.join(dir, "hf"), "--tokens", "1,7"], "--tokens", "0 to 6", "7");
    await expectUserError(["gpt", "logits", "--model", path.join(dir, "hf"), "--tokens", "a,b"], "--tokens", "whole numbers");
    await expectUserError(["gpt", "logits", "--model", path.join(dir, "hf")], "--tokens");
  });
});
