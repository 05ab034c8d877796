// The GPT model: GPT-2 checkpoints in HF layout give GPT-2's logits (checked against an independent
// float64 implementation), no position sees the future, the KV cache equals full recomputation, capture
// records the forward's own values, and saving and loading round-trips in HF's layout.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import { noGrad, setBackend, tidy } from "../../src/core/engine.js";
import * as ops from "../../src/core/ops.js";
import * as F from "../../src/nn/functional.js";
import { Rng } from "../../src/core/rng.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import type { GptConfig } from "../../src/models/gpt/config.js";
import { GPT, GptCapture } from "../../src/models/gpt/model.js";
import { KVCache } from "../../src/models/gpt/kv-cache.js";
import { generate, generateSteps } from "../../src/models/gpt/generate.js";
import { loadGptDir, saveGptDir } from "../../src/train/gpt-checkpoint.js";
import { assertNnlabError } from "../io/helpers.js";
import { referenceLogits, tinyGpt2, writeGpt2Dir } from "./gpt-reference.js";

let dir = "";
before(async () => {
  await init();
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-gpt-"));
});
after(() => rm(dir, { recursive: true, force: true }));

const small: GptConfig = { nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 12, vocabSize: 13, bias: true, dropout: 0, tied: true, gelu: "tanh", layerNormEps: 1e-5 };

/** Logits (T, V) of one sequence as a flat Float32Array. */
function logitsOf(model: GPT, ids: readonly number[], opts: Parameters<GPT["forward"]>[1] = {}): Float32Array {
  return tidy(() => noGrad(() => model.forward(ops.tensor(Int32Array.from(ids), [1, ids.length], "int32"), opts).toArray() as Float32Array));
}

/** max |a − b| / max |b|. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

describe("GPT-2 checkpoints in Hugging Face layout", () => {
  const cases = [
    { name: "tied, no prefix, gelu_new, mask buffers", key: "a", g: tinyGpt2(), opts: { buffers: true } },
    { name: "untied lm_head, transformer. prefix, exact gelu", key: "b", g: tinyGpt2({ tied: false, activation: "gelu", seed: 3, nHead: 4 }), opts: { prefix: true } },
  ];
  for (const backend of ["wasm", "js"]) {
    for (const c of cases) {
      test(`${backend}: ${c.name}: logits match GPT-2's math in float64 within 1e-4`, async () => {
        setBackend(backend);
        const d = path.join(dir, `hf-${backend}-${c.key}`);
        await writeGpt2Dir(d, c.g, c.opts);
        const { model, config } = await loadGptDir(d);
        assert.equal(config.tied, c.g.tied);
        const ids = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7];
        const ours = logitsOf(model, ids);
        const ref = referenceLogits(c.g, ids).flatMap((r) => Array.from(r));
        const err = relError(ours, ref);
        assert.ok(err < 1e-4, `relative error ${err}`);
        assert.ok(Math.max(...ref.map(Math.abs)) > 0.5, "logits large enough to compare");
      });
    }
  }

  test("shapes that disagree with config.json, missing and extra tensors are clear errors", async () => {
    setBackend("wasm");
    const g = tinyGpt2();
    const wrongWidth = path.join(dir, "wrong-width");
    await writeGpt2Dir(wrongWidth, g, { config: { n_embd: 12 } });
    await assertNnlabError(() => loadGptDir(wrongWidth), "model.safetensors", "shape", "config.json");
    const missing = path.join(dir, "missing-layer");
    await writeGpt2Dir(missing, g, { config: { n_layer: 3 } });
    await assertNnlabError(() => loadGptDir(missing), "h.2.", "n_layer");
    const untied = path.join(dir, "untied-no-head");
    await writeGpt2Dir(untied, g, { config: { tie_word_embeddings: false } });
    await assertNnlabError(() => loadGptDir(untied), "lm_head.weight");
    const extra = path.join(dir, "extra");
    await writeGpt2Dir(extra, g, { tensors: { "h.0.attn.rotary": { dtype: "F32", shape: [2], data: new Float32Array(2) } } });
    await assertNnlabError(() => loadGptDir(extra), "unexpected tensors h.0.attn.rotary");
    const badConfig = path.join(dir, "bad-config");
    await writeGpt2Dir(badConfig, g, { config: { n_head: 3 } });
    await assertNnlabError(() => loadGptDir(badConfig), "n_embd", "3 heads");
    await writeGpt2Dir(badConfig, g, { config: { activation_function: "relu" } });
    await assertNnlabError(() => loadGptDir(badConfig), "activation_function", "gelu_new");
    await writeGpt2Dir(badConfig, g, { config: { n_layer: "two" } });
    await assertNnlabError(() => loadGptDir(badConfig), "config.json: n_layer", "whole number");
    await assertNnlabError(() => loadGptDir(path.join(dir, "nowhere")), "--model", "no such directory", "nnlab gpt train");
  });
});

describe("the model", () => {
  beforeEach(() => setBackend("wasm"));

  test("no position sees the future: changing a later token changes no earlier logit", () => {
    const model = new GPT(small, new Rng(1));
    const ids = [1, 2, 3, 4, 5, 6, 7, 8];
    const a = logitsOf(model, ids);
    const V = small.vocabSize;
    for (const t of [7, 4, 1]) {
      const changed = [...ids];
      changed[t] = (changed[t] + 5) % V;
      const b = logitsOf(model, changed);
      assert.ok(relError(a.subarray(0, t * V), b.subarray(0, t * V)) < 1e-6, `positions before ${t} unchanged`);
      assert.ok(relError(a.subarray(t * V), b.subarray(t * V)) > 1e-3, `positions from ${t} on change`);
    }
    // without the mask, earlier positions do see later tokens
    const open = logitsOf(model, ids, { causal: false });
    const changed = [...ids];
    changed[7] = 0;
    assert.ok(relError(open.subarray(0, V), logitsOf(model, changed, { causal: false }).subarray(0, V)) > 1e-4);
  });

  test("attention read in place from c_attn's output gives the split heads' logits and gradients", () => {
    // heads of 8 floats: the packed kernel runs without a capture; capturing the pattern takes the split path
    const model = new GPT(small, new Rng(7));
    const ids = ops.tensor(Int32Array.from([4, 2, 9, 1, 0, 7, 3, 3, 12, 5, 6]), [1, 11], "int32");
    const targets = ops.tensor(Int32Array.from([2, 9, 1, 0, 7, 3, 3, 12, 5, 6, 8]), [11], "int32");
    const run = (capture?: GptCapture) =>
      tidy(() => {
        for (const p of model.parameters()) {
          p.grad?.dispose();
          p.grad = null;
        }
        const logits = model.forward(ids, { capture });
        F.crossEntropy(ops.reshape(logits, [11, small.vocabSize]), targets).backward();
        const grads = model.parameters().map((p) => p.grad!.toArray());
        return { logits: logits.toArray(), grads };
      });
    const packed = run();
    const split = run(new GptCapture(["attention"]));
    assert.ok(relError(packed.logits, split.logits) < 1e-5, `logits: ${relError(packed.logits, split.logits)}`);
    packed.grads.forEach((g, i) => assert.ok(relError(g, split.grads[i]) < 1e-5, `gradient ${i}: ${relError(g, split.grads[i])}`));
    assert.ok(relError(packed.logits, split.logits) > 0 || packed.grads.some((g, i) => relError(g, split.grads[i]) > 0), "the two paths ran different kernels");
  });

  test("the KV cache gives the logits of full recomputation", () => {
    const model = new GPT({ ...small, gelu: "none" }, new Rng(2));
    const ids = [5, 3, 8, 1, 0, 2, 7, 7, 4, 12];
    const full = logitsOf(model, ids);
    const V = small.vocabSize;
    const cache = new KVCache(small.nLayer, small.blockSize);
    const pieces: Float32Array[] = [logitsOf(model, ids.slice(0, 4), { cache })]; // a 4-token prefill
    for (let t = 4; t < ids.length; t++) pieces.push(logitsOf(model, [ids[t]], { cache })); // then one at a time
    assert.equal(cache.length, ids.length);
    const cached = Float32Array.from(pieces.flatMap((p) => Array.from(p)));
    assert.equal(cached.length, ids.length * V);
    assert.ok(relError(cached, full) < 1e-5, `cache vs full: ${relError(cached, full)}`);
    assert.throws(() => logitsOf(model, [1, 2, 3], { cache }), /exceed the context of 12/);
    cache.dispose();
  });

  test("generation with the cache equals generation without it, also past the context", () => {
    const model = new GPT(small, new Rng(3));
    for (const temperature of [0, 1]) {
      const run = (cache: boolean) => generate(model, [1, 2, 3], { maxNewTokens: 15, temperature, topK: 5, rng: new Rng(9), cache });
      assert.deepEqual(run(true), run(false), `temperature ${temperature}`);
    }
  });

  test("generateSteps streams the tokens generate returns, and stops when the caller stops", () => {
    const model = new GPT(small, new Rng(3));
    const whole = generate(model, [1, 2, 3], { maxNewTokens: 15, temperature: 1, rng: new Rng(9) });
    const streamed: number[] = [];
    for (const t of generateSteps(model, [1, 2, 3], { temperature: 1, rng: new Rng(9) })) {
      assert.equal(t.position, 3 + streamed.length);
      assert.ok(t.probs[t.id] > 0);
      streamed.push(t.id);
      if (streamed.length === 6) break; // leaving the loop frees the cache
    }
    assert.deepEqual(streamed, whole.slice(0, 6));
  });

  test("capture records the forward's own values with their shapes", () => {
    const model = new GPT(small, new Rng(4));
    const ids = [1, 2, 3, 4, 5];
    tidy(() =>
      noGrad(() => {
        const capture = new GptCapture();
        const logits = model.forward(ops.tensor(Int32Array.from(ids), [1, 5], "int32"), { capture });
        const { nLayer: L, nHead: nh, nEmbd: C } = small;
        const hs = C / nh;
        assert.deepEqual(capture.embeddings!.shape, [1, 5, C]);
        for (const [key, shape] of [["residual", [1, 5, C]], ["attention", [1, nh, 5, 5]], ["q", [1, nh, 5, hs]], ["k", [1, nh, 5, hs]], ["v", [1, nh, 5, hs]], ["attnOut", [1, 5, C]], ["mlpHidden", [1, 5, 4 * C]], ["mlpOut", [1, 5, C]]] as const) {
          assert.equal(capture[key].length, L, key);
          for (const t of capture[key]) assert.deepEqual(t.shape, shape, key);
        }
        // the residual stream: embeddings + Σ attention and MLP outputs; its last value unembedded is the logits
        let stream = capture.embeddings!;
        for (let l = 0; l < L; l++) stream = ops.add(ops.add(stream, capture.attnOut[l]), capture.mlpOut[l]);
        assert.ok(relError(stream.toArray(), capture.residual[L - 1].toArray()) < 1e-5);
        assert.ok(relError(model.unembed(capture.residual[L - 1]).toArray(), logits.toArray()) < 1e-6);
        // each pattern row is a distribution over earlier positions only
        const p = capture.attention[0].toArray();
        for (let i = 0; i < 5; i++) {
          const row = Array.from(p.subarray(i * 5, i * 5 + 5));
          assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
          assert.ok(row.slice(i + 1).every((x) => x === 0));
        }
        // only what is asked is kept
        const some = new GptCapture(["attention"]);
        model.forward(ops.tensor(Int32Array.from(ids), [1, 5], "int32"), { capture: some, scale: false });
        assert.equal(some.attention.length, L);
        assert.equal(some.residual.length, 0);
        assert.equal(some.embeddings, null);
        assert.ok(relError(some.attention[0].toArray(), p) > 1e-3, "no 1/√d_k changes the pattern");
      }),
    );
  });

  test("save and load round-trip through HF's layout", async () => {
    for (const config of [small, { ...small, bias: false, tied: false }]) {
      const model = new GPT(config, new Rng(5));
      const d = path.join(dir, `saved-${config.bias}`);
      await saveGptDir(d, model, { tokenizer: { kind: "char", chars: "abc" } });
      const file = decodeSafetensors(new Uint8Array(await readFile(path.join(d, "model.safetensors"))), "model.safetensors");
      assert.deepEqual(file.tensors["transformer.h.0.attn.c_attn.weight"].shape, [16, 48], "Conv1D layout [in, out]");
      assert.deepEqual(file.tensors["transformer.h.1.mlp.c_proj.weight"].shape, [64, 16]);
      assert.equal(file.metadata.format, "pt");
      assert.equal("lm_head.weight" in file.tensors, !config.tied);
      assert.equal(file.tensors["transformer.ln_f.bias"].shape[0], 16, "biases present even for a model without them (zeros)");
      const loaded = await loadGptDir(d);
      assert.deepEqual(loaded.config, config);
      assert.deepEqual(loaded.nnlab.tokenizer, { kind: "char", chars: "abc" });
      const a = model.stateDict();
      const b = loaded.model.stateDict();
      assert.deepEqual(Object.keys(b), Object.keys(a));
      for (const k of Object.keys(a)) assert.deepEqual(b[k].data, a[k].data, k);
      const hf = JSON.parse(await readFile(path.join(d, "config.json"), "utf8"));
      assert.equal(hf.n_embd, 16);
      assert.equal(hf.activation_function, "gelu_new");
    }
    // a model without biases refuses non-zero biases in its file
    const d = path.join(dir, "saved-false");
    const cfg = JSON.parse(await readFile(path.join(d, "config.json"), "utf8"));
    await writeFile(path.join(d, "config.json"), JSON.stringify({ ...cfg, nnlab: { bias: false } }));
    const model = new GPT({ ...small, bias: true, tied: false }, new Rng(6));
    for (const p of model.parameters()) p.assign(ops.add(p, 0.5));
    await saveGptDir(path.join(dir, "biased"), model);
    await writeFile(path.join(dir, "biased", "config.json"), JSON.stringify({ ...cfg, tie_word_embeddings: false }));
    await assertNnlabError(() => loadGptDir(path.join(dir, "biased")), "bias", "zeros");
  });
});
