// queryKeyScores (lesson 6's query against every key) on a tiny random GPT-2, checked against GPT-2's
// block-0 math in float64: the query, the keys, their dot products, the masked and scaled scores, and the
// weights — which are the forward pass's own pattern row, so softmax of the scores.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import { attentionPatterns, queryKeyScores } from "../../src/lab/gpt-inspect.js";
import { gptFromHf } from "../../src/train/gpt-bytes.js";
import { referenceQkv0, tinyGpt2 } from "../models/gpt-reference.js";

const g = tinyGpt2({ seed: 5 });
const ids = [3, 1, 4, 1, 5, 9];

before(async () => {
  await init();
});

function load() {
  const tensors = Object.fromEntries(Object.entries(g.w).map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }]));
  const config = { model_type: "gpt2", n_layer: g.nLayer, n_head: g.nHead, n_embd: g.nEmbd, n_positions: g.nPositions, vocab_size: g.vocab };
  return gptFromHf(config, tensors, { config: "config.json", model: "model.safetensors" }).model;
}

test("queryKeyScores: q, k, q·k, the scores softmax sees and the weights, as GPT-2's math gives", () => {
  const model = load();
  const C = g.nEmbd;
  const hs = C / g.nHead;
  const qkv = referenceQkv0(g, ids);
  for (const [causal, scale] of [[true, true], [false, true], [true, false]] as const) {
    for (const head of [0, 1]) {
      const token = 3;
      const r = queryKeyScores(model, ids, { layer: 0, head, token }, { causal, scale });
      const q = Array.from({ length: hs }, (_, d) => qkv[token][head * hs + d]);
      q.forEach((v, d) => assert.ok(Math.abs(r.query[d] - v) < 1e-5, `q[${d}]`));
      const want = ids.map((_, j) => q.reduce((s, v, d) => s + v * qkv[j][C + head * hs + d], 0));
      want.forEach((d, j) => {
        assert.ok(Math.abs(r.keys[j * hs] - qkv[j][C + head * hs]) < 1e-5, `k[${j}]`);
        assert.ok(Math.abs(r.values[j * hs] - qkv[j][2 * C + head * hs]) < 1e-5, `v[${j}]`);
        assert.ok(Math.abs(r.dots[j] - d) < 1e-4, `q·k[${j}] ${r.dots[j]} vs ${d}`);
        const score = causal && j > token ? -Infinity : scale ? d / Math.sqrt(hs) : d;
        assert.ok(score === -Infinity ? r.scores[j] === -Infinity : Math.abs(r.scores[j] - score) < 1e-4, `score[${j}]`);
      });
      // the weights are softmax of the scores (the forward's own pattern row)
      const m = Math.max(...r.scores);
      const e = Array.from(r.scores, (s) => Math.exp(s - m));
      const z = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => assert.ok(Math.abs(r.weights[j] - v / z) < 1e-5, `weight[${j}] ${r.weights[j]} vs ${v / z} (causal ${causal}, scale ${scale})`));
      const row = attentionPatterns(model, ids, { causal, scale }).patterns[0][head].slice(token * ids.length, (token + 1) * ids.length);
      assert.deepEqual(Array.from(r.weights), Array.from(row));
      if (!causal) assert.ok(r.weights[token + 1] > 0, "without the mask a later token gets weight");
    }
  }
  assert.throws(() => queryKeyScores(model, ids, { layer: 2, head: 0, token: 0 }), /outside 2 blocks/);
});
