// The lab through the CLI: `lab NAME --model DIR --json`, `eval --report DIR`, and a bad flag as a
// one-line user error (exit code 2).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "../helpers.js";

const BIN = path.join(ROOT, "bin", "nnlab.js");
let dir = "";

function nnlab(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-lab-cli-"));
  const r = nnlab("train", "mnist", "--epochs", "1", "--train-limit", "3000", "--test-limit", "1000", "--out", path.join(dir, "model"));
  assert.equal(r.code, 0, r.stderr);
});
after(() => rm(dir, { recursive: true, force: true }));

test("eval --report writes the confusion matrix figure and the most confidently wrong images", async () => {
  const r = nnlab("eval", "--model", path.join(dir, "model"), "--report", path.join(dir, "report"), "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { confusion: number[][]; count: number; correct: number; confidently_wrong: { label: number; predicted: number; confidence: number }[] };
  assert.deepEqual((await readdir(path.join(dir, "report"))).sort(), ["confusion.svg", "mistakes.svg", "report.md", "result.json"]);
  assert.ok((await readFile(path.join(dir, "report", "confusion.svg"), "utf8")).startsWith("<svg"));
  assert.equal(out.confidently_wrong.length, 30);
  for (let i = 0; i < 30; i++) {
    assert.notEqual(out.confidently_wrong[i].label, out.confidently_wrong[i].predicted);
    if (i > 0) assert.ok(out.confidently_wrong[i].confidence <= out.confidently_wrong[i - 1].confidence);
  }
});

test("lab backprop --model reuses a trained net and prints its result with --json; a bad --index is a user error", async () => {
  const r = nnlab("lab", "backprop", "--model", path.join(dir, "model"), "--index", "5", "--out", path.join(dir, "bp"), "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { experiment: string; settings: { index: string }; result: { image: { index: number }; network: string } };
  assert.equal(out.experiment, "backprop");
  assert.equal(out.result.image.index, 5);
  assert.ok(out.result.network.includes("loaded from"));
  const bad = nnlab("lab", "backprop", "--model", path.join(dir, "model"), "--index", "x", "--out", path.join(dir, "bp2"));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.trim(), /^nnlab: .*--index/);
  assert.equal(bad.stderr.trim().split("\n").length, 1);
});
