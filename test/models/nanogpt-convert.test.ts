// The README's nanoGPT conversion: a nanoGPT checkpoint (written by the test's own torch script, with
// nanoGPT's [out, in] Linear layout, compile prefix and tied lm_head) converted by
// scripts/nanogpt-to-safetensors.py loads in nnlab and gives the logits nanoGPT's forward computes.
// Needs /usr/bin/python3 with torch; says so and skips without it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import { noGrad, tidy } from "../../src/core/engine.js";
import * as ops from "../../src/core/ops.js";
import { loadGptDir } from "../../src/train/gpt-checkpoint.js";
import { ROOT } from "../helpers.js";

const PYTHON = "/usr/bin/python3";
const torch = spawnSync(PYTHON, ["-c", "import torch, numpy"], { encoding: "utf8" });
const skip = torch.status === 0 ? false : `skipped: ${PYTHON} cannot import torch and numpy (${(torch.stderr || String(torch.error)).trim().split("\n").pop()})`;

let dir = "";
before(async () => {
  await init();
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-nanogpt-"));
});
after(() => rm(dir, { recursive: true, force: true }));

function run(args: string[]): string {
  const r = spawnSync(PYTHON, args, { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

for (const bias of [false, true]) {
  test(`a converted nanoGPT checkpoint (bias=${bias}) gives nanoGPT's logits`, { skip }, async () => {
    const ids = [1, 2, 3, 9, 0, 4];
    const d = path.join(dir, `bias-${bias}`);
    const expected = (JSON.parse(run([path.join(ROOT, "test/fixtures/nanogpt_fixture.py"), d, bias ? "1" : "0", ids.join(",")])) as { logits: number[] }).logits;
    run([path.join(ROOT, "scripts/nanogpt-to-safetensors.py"), path.join(d, "ckpt.pt"), path.join(d, "hf"), "--meta", path.join(d, "meta.pkl")]);
    const { model, config, nnlab } = await loadGptDir(path.join(d, "hf"));
    assert.equal(config.bias, bias);
    assert.equal(config.gelu, "none");
    assert.deepEqual(nnlab.tokenizer, { kind: "char", chars: [..."abcdefghij"] });
    const ours = tidy(() => noGrad(() => model.forward(ops.tensor(Int32Array.from(ids), [1, ids.length], "int32")).toArray()));
    const scale = Math.max(...expected.map(Math.abs));
    expected.forEach((v, i) => assert.ok(Math.abs(ours[i] - v) <= 1e-4 * scale, `logit ${i}: ${ours[i]} vs ${v}`));
  });
}
