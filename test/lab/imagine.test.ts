import { test } from "node:test";
import assert from "node:assert/strict";
import { imagine } from "../../src/lab/imagine.js";
import { quickContext } from "./helpers.js";

test("lab imagine: ascent images win their output with high confidence yet look little like the digit", async () => {
  const r = (await imagine.run(await quickContext())).result;
  for (const set of [r.unconstrained, r.penalised]) {
    assert.equal(set.length, 10);
    assert.ok(set.filter((i) => i.answer === i.digit).length >= 8);
    const confidence = set.reduce((s, i) => s + i.confidence, 0) / 10;
    assert.ok(confidence > 0.8, `mean confidence ${confidence}`);
    const similarity = set.reduce((s, i) => s + i.similarity_to_digit, 0) / 10;
    assert.ok(similarity < 0.6, `similarity ${similarity}`);
  }
  // real digits: far more like their digit's mean, and read alike by a second net
  assert.ok(r.real.mean_similarity_to_digit > 0.5, `real similarity ${r.real.mean_similarity_to_digit}`);
  for (const set of [r.unconstrained, r.penalised]) assert.ok(set.reduce((s, i) => s + i.similarity_to_digit, 0) / 10 < r.real.mean_similarity_to_digit / 2);
  assert.ok(r.real.nets_agree > 0.7, `nets agree on ${r.real.nets_agree} of real images`);
  const secondReads = [...r.unconstrained, ...r.penalised].filter((i) => i.second_net_answer === i.digit).length / 20;
  assert.ok(secondReads < r.real.nets_agree - 0.2, `the second net reads ${secondReads} of the pictures`);
  for (const i of r.penalised) assert.ok(i.min > -0.1 && i.max < 1.1, `penalised ${i.digit}: ${i.min}..${i.max}`);
});
