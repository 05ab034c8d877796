// Sampling math (lesson 5): temperature, top-k, top-p, greedy at temperature 0, seeded draws, and the
// errors for impossible settings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NnlabError } from "../../src/core/errors.js";
import { Rng } from "../../src/core/rng.js";
import { drawToken, nextTokenProbabilities, sampleNext, softmaxWithTemperature, topCandidates, topIndices, validateSampling } from "../../src/models/gpt/sampling.js";

const logits = [2, 1, 0, -1, 3];

test("softmax with a temperature: T → 0 sharpens, large T flattens, 0 is the arg-max", () => {
  const p1 = softmaxWithTemperature(logits, 1);
  const z = logits.map(Math.exp).reduce((a, b) => a + b, 0);
  p1.forEach((p, i) => assert.ok(Math.abs(p - Math.exp(logits[i]) / z) < 1e-15));
  assert.ok(softmaxWithTemperature(logits, 0.5)[4] > p1[4]);
  assert.ok(softmaxWithTemperature(logits, 10)[4] < p1[4]);
  assert.deepEqual(Array.from(softmaxWithTemperature(logits, 0)), [0, 0, 0, 0, 1]);
});

test("top-k keeps the k most likely, top-p the smallest nucleus reaching p", () => {
  const k2 = nextTokenProbabilities(logits, { temperature: 1, topK: 2 });
  assert.deepEqual(Array.from(k2).map((p) => p > 0), [true, false, false, false, true]);
  assert.ok(Math.abs(k2[4] - Math.E / (Math.E + 1)) < 1e-12);
  const p1 = softmaxWithTemperature(logits, 1);
  // p[4] ≈ 0.64 < 0.7 <= p[4] + p[0] ≈ 0.87: two tokens
  const nucleus = nextTokenProbabilities(logits, { temperature: 1, topP: 0.7 });
  assert.deepEqual(Array.from(nucleus).map((p) => p > 0), [true, false, false, false, true]);
  assert.ok(p1[4] < 0.7 && p1[4] + p1[0] >= 0.7);
  assert.equal(nextTokenProbabilities(logits, { temperature: 1, topP: 0.5 }).filter((p) => p > 0).length, 1);
  assert.deepEqual(topCandidates(p1, 2).map((c) => c.id), [4, 0]);
});

test("draws follow the distribution and repeat with the seed; temperature 0 uses no randomness", () => {
  const p = [0.1, 0.6, 0, 0.3];
  const rng = new Rng(1);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 20000; i++) counts[drawToken(p, rng)]++;
  assert.equal(counts[2], 0);
  counts.forEach((c, i) => assert.ok(Math.abs(c / 20000 - p[i]) < 0.015, `token ${i}: ${c}`));
  const a = Array.from({ length: 20 }, (_, i) => sampleNext(logits, { temperature: 1.5 }, new Rng(i)).id);
  const b = Array.from({ length: 20 }, (_, i) => sampleNext(logits, { temperature: 1.5 }, new Rng(i)).id);
  assert.deepEqual(a, b);
  const r = new Rng(3);
  const before = r.getState();
  assert.equal(sampleNext(logits, { temperature: 0 }, r).id, 4);
  assert.deepEqual(r.getState(), before);
});

test("impossible settings name the flag", () => {
  assert.throws(() => validateSampling({ temperature: -0.5 }), (e: unknown) => e instanceof NnlabError && /--temperature/.test(e.message) && />= 0/.test(e.message));
  assert.throws(() => validateSampling({ temperature: 1, topP: 0 }), (e: unknown) => e instanceof NnlabError && /--top-p/.test(e.message) && /\(0, 1\]/.test(e.message));
  assert.throws(() => validateSampling({ temperature: 1, topP: 1.5 }), /--top-p/);
  assert.throws(() => validateSampling({ temperature: 1, topK: 1.5 }), /--top-k/);
  assert.doesNotThrow(() => validateSampling({ temperature: 0, topK: 3, topP: 1 }));
});

test("topIndices: the k largest in one pass, as a full sort orders them (ties: lower index first)", () => {
  const rng = new Rng(3);
  for (const n of [0, 1, 7, 500]) {
    const values = Array.from({ length: n }, () => Math.round(rng.normal() * 4) / 2); // many ties
    const sorted = Array.from(values.keys()).sort((a, b) => values[b] - values[a] || a - b);
    for (const k of [0, 1, 5, n, n + 3]) assert.deepEqual(topIndices(values, k), sorted.slice(0, k), `n ${n}, k ${k}`);
  }
});
