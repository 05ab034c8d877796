// A GPT from the bytes of config.json and model.safetensors (what the web lab's worker does with files
// picked from disk): the same model loadGptDir reads from the directory, GPT-2's math on its logits, the
// tokenizer its config implies, and errors that name the file.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import { noGrad, tidy } from "../../src/core/engine.js";
import * as ops from "../../src/core/ops.js";
import type { GPT } from "../../src/models/gpt/model.js";
import { gptFromHfBytes, tokenizerForGpt } from "../../src/train/gpt-bytes.js";
import { GPT_FILES, loadGptDir } from "../../src/train/gpt-checkpoint.js";
import { assertNnlabError } from "../io/helpers.js";
import { referenceLogits, tinyGpt2, writeGpt2Dir } from "../models/gpt-reference.js";

const g = tinyGpt2({ seed: 11 });
let dir = "";
before(async () => {
  await init();
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-gpt-bytes-"));
  await writeGpt2Dir(dir, g, { prefix: true, config: { nnlab: { tokenizer: { kind: "char", chars: [..."abcdefghijk"] } } } });
});
after(() => rm(dir, { recursive: true, force: true }));

const bytes = async (f: string) => new Uint8Array(await readFile(path.join(dir, f)));
const logits = (model: GPT, ids: number[]) =>
  tidy(() => noGrad(() => Float32Array.from(model.forward(ops.tensor(Int32Array.from(ids), [1, ids.length], "int32")).toArray() as Float32Array)));

describe("gptFromHfBytes", () => {
  test("builds the model loadGptDir reads, with GPT-2's logits and the config's tokenizer", async () => {
    const fromBytes = gptFromHfBytes(await bytes(GPT_FILES.config), await bytes(GPT_FILES.model));
    const fromDir = await loadGptDir(dir);
    assert.deepEqual(fromBytes.config, fromDir.config);
    const ids = [1, 4, 2, 9, 0];
    const mine = logits(fromBytes.model, ids);
    assert.deepEqual(mine, logits(fromDir.model, ids));
    const want = referenceLogits(g, ids).flatMap((r) => Array.from(r));
    const worst = want.reduce((m, v, i) => Math.max(m, Math.abs(v - mine[i])), 0);
    assert.ok(worst < 1e-4, `largest difference from GPT-2's float64 math ${worst}`);
    const tokenizer = tokenizerForGpt(fromBytes.config, fromBytes.nnlab, GPT_FILES.config);
    assert.equal(tokenizer.kind, "char");
    assert.deepEqual(tokenizer.encode("bad"), [1, 0, 3]);
  });

  test("a wrong file names itself", async () => {
    const config = await bytes(GPT_FILES.config);
    const model = await bytes(GPT_FILES.model);
    await assertNnlabError(() => gptFromHfBytes(model, model, { config: "picked.json", model: "w.safetensors" }), /picked\.json/);
    await assertNnlabError(() => gptFromHfBytes(config, config, { config: "c.json", model: "picked.safetensors" }), /picked\.safetensors/);
    const small = new TextEncoder().encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(config)), n_embd: 16, n_head: 2 }));
    await assertNnlabError(() => gptFromHfBytes(small, model), /model\.safetensors.*shape/);
  });

  test("a model without a tokenizer: GPT-2's for GPT-2's vocabulary, else a clear error", async () => {
    const { config, nnlab } = gptFromHfBytes(await bytes(GPT_FILES.config), await bytes(GPT_FILES.model));
    assert.equal(tokenizerForGpt({ ...config, vocabSize: 50257 }, {}, "c.json").kind, "gpt2");
    await assertNnlabError(() => tokenizerForGpt(config, {}, "c.json"), /c\.json.*vocab_size 11 and no tokenizer/);
    await assertNnlabError(() => tokenizerForGpt({ ...config, vocabSize: 5 }, nnlab, "c.json"), /at most the model's 5 tokens/);
  });
});
