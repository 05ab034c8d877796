// `nnlab gpt …` end to end: the real binary in a child process on checkpoints the test writes itself.
// JSON contracts and the clear one-line errors (exit code 2) for bad models and flags.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
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
    await expectUserError(["gpt", "logits", "--model", path.join(dir, "none"), "--tokens", "1"], "--model", "no such directory");
    await expectUserError(["gpt", "logits", "--model", path.join(dir, "mismatch"), "--tokens", "1"], "wte.weight", "shape [9, 8]", "[7, 8]");
    await expectUserError(["gpt", "logits", "--model", path.join(dir, "hf"), "--tokens", "1,7"], "--tokens", "0 to 6", "7");
    await expectUserError(["gpt", "logits", "--model", path.join(dir, "hf"), "--tokens", "a,b"], "--tokens", "whole numbers");
    await expectUserError(["gpt", "logits", "--model", path.join(dir, "hf")], "--tokens");
  });
});

describe("gpt train and gpt sample", () => {
  const quick = ["--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch", "4", "--eval-iters", "2", "--eval-interval", "4"];
  const run = () => path.join(dir, "run");

  test("gpt train --json on the embedded Shakespeare prints the issue's object and saves a run", async () => {
    const r = await nnlab("gpt", "train", ...quick, "--iters", "8", "--out", run(), "--json");
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ["preset", "iters", "parameters", "train_loss", "val_loss", "ms_per_iter", "tokens_per_second", "history", "model_dir", "backend", "config", "step_ms"]);
    assert.equal((out.step_ms as number[]).length, 8, "one time per step");
    assert.equal(out.preset, "tiny");
    assert.equal(out.iters, 8);
    assert.deepEqual((out.history as { iter: number }[]).map((h) => h.iter), [0, 4, 8]);
    assert.ok((out.val_loss as number) < (out.history as { val_loss: number }[])[0].val_loss, "loss falls");
    assert.ok((out.ms_per_iter as number) > 0 && (out.tokens_per_second as number) > 0);
    assert.equal(out.model_dir, run());
    assert.match(r.stderr, /step 8: train loss \d\.\d{4}, val loss \d\.\d{4}/);
    assert.deepEqual((await readdir(run())).sort(), ["config.json", "model.safetensors", "optimizer.safetensors", "state.json"]);
  });

  test("--resume continues to a new --iters; a setting besides --iters is refused", async () => {
    const r = await nnlab("gpt", "train", "--resume", run(), "--iters", "12", "--json");
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { iters: number; history: { iter: number }[] };
    assert.equal(out.iters, 12);
    assert.deepEqual(out.history.map((h) => h.iter), [0, 4, 8, 12]);
    await expectUserError(["gpt", "train", "--resume", run(), "--lr", "0.1"], "--lr", "--resume");
  });

  test("gpt sample streams text from the prompt; temperature 0 and a seed repeat", async () => {
    const r = await nnlab("gpt", "sample", "--model", run(), "--prompt", "ROMEO:", "--tokens", "20");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith("ROMEO:"));
    assert.ok(r.stdout.length >= "ROMEO:".length + 20);
    const greedy = async () => JSON.parse((await nnlab("gpt", "sample", "--model", run(), "--prompt", "To be", "--tokens", "10", "--temperature", "0", "--json")).stdout) as { text: string; tokens: number[] };
    const a = await greedy();
    assert.equal(a.tokens.length, 10);
    const b = await greedy();
    assert.deepEqual([b.text, b.tokens], [a.text, a.tokens]);
    const probs = await nnlab("gpt", "sample", "--model", run(), "--prompt", "To", "--tokens", "2", "--show-probs", "--top-k", "3");
    assert.equal(probs.code, 0, probs.stderr);
    assert.match(probs.stdout, /^ {3}1 {2}→ .*%.*%.*%/m);
  });

  test("sampling errors: one clear line, exit 2", async () => {
    await expectUserError(["gpt", "sample", "--model", path.join(dir, "none")], "--model", "no such directory");
    await expectUserError(["gpt", "sample", "--model", path.join(dir, "mismatch"), "--tokenizer", "gpt2"], "wte.weight", "shape");
    await expectUserError(["gpt", "sample", "--model", run(), "--prompt", "To be, or not to be, that is the question"], "--prompt", "at most 16 tokens", "Shorten");
    await expectUserError(["gpt", "sample", "--model", run(), "--temperature", "-1"], "--temperature", ">= 0");
    await expectUserError(["gpt", "sample", "--model", run(), "--top-p", "0"], "--top-p", "> 0 and <= 1");
    await expectUserError(["gpt", "sample", "--model", run(), "--top-p", "1.5"], "--top-p");
    const short = path.join(dir, "short.txt");
    await writeFile(short, "too short");
    await expectUserError(["gpt", "train", ...quick, "--data", short, "--out", path.join(dir, "x")], short);
  });
});
