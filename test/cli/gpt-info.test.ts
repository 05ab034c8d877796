// `nnlab gpt info`: lesson 5's tally of GPT-3 (175,181,291,520), Hugging Face's well-known full counts of
// the GPT-2 sizes, a model directory's config.json, and clear errors for bad flags and files.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { nnlab } from "../helpers.js";

interface Info {
  rows: { name: string; shape: number[]; count: number; parameters: number; lesson: boolean; full: boolean }[];
  lesson_total: number;
  full_total: number;
  shape: Record<string, unknown>;
}

async function info(...args: string[]): Promise<Info> {
  const r = await nnlab("gpt", "info", ...args, "--json");
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Info;
}

let dir = "";
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-gpt-info-"));
  await mkdir(path.join(dir, "empty"));
});
after(() => rm(dir, { recursive: true, force: true }));

describe("nnlab gpt info", () => {
  it("--config gpt3 totals 175,181,291,520 the lesson's way, matrix by matrix", async () => {
    const t = await info("--config", "gpt3");
    const by = Object.fromEntries(t.rows.map((r) => [r.name, r.parameters]));
    assert.equal(by["Embedding W_E"], 617_558_016);
    assert.equal(by["Query W_Q"], 14_495_514_624);
    assert.equal(by["Key W_K"], 14_495_514_624);
    assert.equal(by["Value down W_V↓"] + by["Output (value up) W_O"], 28_991_029_248);
    assert.equal(by["MLP up"], 57_982_058_496);
    assert.equal(by["MLP down"], 57_982_058_496);
    assert.equal(by["Unembedding W_U"], 617_558_016);
    assert.equal(t.lesson_total, 175_181_291_520);
    const extra = 2048 * 12288 + (2 * 96 + 1) * 12288 * 2 + 96 * (3 * 12288 + 12288 + 4 * 12288 + 12288);
    assert.equal(t.full_total, 175_181_291_520 + extra);
  });
  it("gives the full counts Hugging Face reports for GPT-2's four sizes (W_U tied)", async () => {
    assert.equal((await info("--config", "gpt2")).full_total, 124_439_808);
    assert.equal((await info("--config", "gpt2-medium")).full_total, 354_823_168);
    assert.equal((await info("--config", "gpt2-xl")).full_total, 1_557_611_200);
  });
  it("prints the table with both totals", async () => {
    const r = await nnlab("gpt", "info", "--config", "gpt3");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /lesson 5's total\s+175,181,291,520/);
    assert.match(r.stdout, /Query W_Q\s+128 × 12,288\s+9,216\s+14,495,514,624/);
    assert.match(r.stdout, /full count\s+175,221,817,344/);
  });
  it("reads a model directory's config.json (untied, no biases)", async () => {
    await writeFile(path.join(dir, "config.json"), JSON.stringify({ model_type: "gpt2", n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 65, tie_word_embeddings: false, nnlab: { bias: false } }));
    const t = await info("--model", dir);
    const C = 16;
    assert.equal(t.full_total, 65 * C * 2 + 32 * C + 2 * (4 * C * C + 8 * C * C) + (2 * 2 + 1) * C);
    assert.ok(!t.rows.some((r) => r.name.includes("bias")));
  });
  it("names what is wrong", async () => {
    for (const [args, part] of [
      [[], "one of --config NAME or --model DIR"],
      [["--config", "gpt5"], "--config"],
      [["--model", path.join(dir, "none")], "no such directory"],
      [["--model", path.join(dir, "empty")], "config.json"],
    ] as [string[], string][]) {
      const r = await nnlab("gpt", "info", ...args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.ok(r.stderr.includes(part), `${r.stderr} should mention ${part}`);
    }
    await writeFile(path.join(dir, "config.json"), JSON.stringify({ n_layer: 2, n_head: 3, n_embd: 16, n_positions: 32, vocab_size: 65 }));
    const r = await nnlab("gpt", "info", "--model", dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config\.json: n_embd: expected a multiple of n_head \(3\), found 16/);
  });
});
