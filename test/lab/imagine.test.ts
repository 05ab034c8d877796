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
  for (const i of r.penalised) assert.ok(i.min > -0.1 && i.max < 1.1, `penalised ${i.digit}: ${i.min}..${i.max}`);
});
